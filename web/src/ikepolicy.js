// ikepolicy.js - the IPsec/IKE policy fields (Default or Custom), shared by
// the Add a link form and a link's Edit IKE policy form, so both offer the
// same choices and the same rules (validate.js, system-facts §1.6).
import { html, Select, Text } from "./ui.js";
import * as V from "./validate.js";

export const DEFAULT_TEXT = "The default policy: Phase 1 GCMAES256/SHA384, GCMAES128/SHA256, AES256/SHA384 or AES128/SHA256 with DHGroup24; Phase 2 GCM-AES 256, 192 or 128, no PFS.";

// p: { policy, ikeEncryption, ... }; set(p); errs: field path -> message;
// pre: an id prefix, unique on the page.
export function IkePolicy({ p, set, errs, pre = "" }) {
  const f = (k) => (v) => set({ ...p, [k]: v });
  const e = errs || {};
  return html`
    <fieldset><legend>IPsec/IKE policy</legend>
      <div><input type="radio" id=${pre + "pol-d"} name=${pre + "pol"} checked=${p.policy === "default"} onChange=${() => f("policy")("default")} /> <label for=${pre + "pol-d"}>Default</label></div>
      <div><input type="radio" id=${pre + "pol-c"} name=${pre + "pol"} checked=${p.policy === "custom"} onChange=${() => f("policy")("custom")} /> <label for=${pre + "pol-c"}>Custom</label></div>
    </fieldset>
    ${p.policy === "custom" ? html`
      <${Select} id=${pre + "c-ikeenc"} label="Encryption (Phase 1)" value=${p.ikeEncryption} options=${V.IKE_ENC} onChange=${f("ikeEncryption")} error=${e["tunnelConfiguration.ikeEncryption"]} />
      <${Select} id=${pre + "c-ikeint"} label="Integrity (Phase 1)" value=${p.ikeIntegrity} options=${V.IKE_INT} onChange=${f("ikeIntegrity")} error=${e["tunnelConfiguration.ikeIntegrity"]} />
      <${Select} id=${pre + "c-dh"} label="DH group" value=${p.dhGroup} options=${V.DH} onChange=${f("dhGroup")} error=${e["tunnelConfiguration.dhGroup"]} />
      <${Select} id=${pre + "c-ipenc"} label="IPsec encryption (Phase 2)" value=${p.ipSecEncryption} options=${V.IPSEC_ENC} onChange=${f("ipSecEncryption")} error=${e["tunnelConfiguration.ipSecEncryption"]} />
      <${Select} id=${pre + "c-ipint"} label="IPsec integrity (Phase 2)" value=${p.ipSecIntegrity} options=${V.IPSEC_INT} onChange=${f("ipSecIntegrity")} error=${e["tunnelConfiguration.ipSecIntegrity"]} />
      <${Select} id=${pre + "c-pfs"} label="PFS group" value=${p.pfsGroup} options=${V.PFS} onChange=${f("pfsGroup")} error=${e["tunnelConfiguration.pfsGroup"]} />
      <${Text} id=${pre + "c-life"} label="SA lifetime (seconds)" value=${p.saLifeTimeSeconds} onInput=${f("saLifeTimeSeconds")} error=${e["tunnelConfiguration.saLifeTimeSeconds"]} hint="300 to 172800 seconds" />` :
      html`<p>${DEFAULT_TEXT}</p>`}`;
}
