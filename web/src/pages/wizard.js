// wizard.js - Create remote network: Basics -> Connectivity (Add a link:
// General / Details / Security) -> Traffic profiles -> Review + create.
// One POST with the links and profiles inline: all or nothing, as the API.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.js";
import { Banner, html, Select, Text } from "../ui.js";
import * as V from "../validate.js";
import { IkePolicy } from "../ikepolicy.js";

const STEPS = ["Basics", "Connectivity", "Traffic profiles", "Review + create"];
const LTABS = ["General", "Details", "Security"];

function Tabs({ names, cur, onPick, label }) {
  return html`<div role="tablist" aria-label=${label} class="tabs">${names.map((n, i) => html`
    <button role="tab" type="button" id=${label + "-tab-" + i} aria-selected=${i === cur ? "true" : "false"} onClick=${() => onPick(i)}>${n}</button>`)}</div>`;
}

function LinkForm({ link, errs, set, others, onSave, onCancel }) {
  const [tab, setTab] = useState(0);
  const e = errs;
  const f = (k) => (v) => set({ ...link, [k]: v });
  return html`<section class="panel" aria-labelledby="addlink-h"><h2 id="addlink-h">Add a link</h2>
    <${Tabs} names=${LTABS} cur=${tab} onPick=${setTab} label="Add a link" />
    <div role="tabpanel" aria-labelledby=${"Add a link-tab-" + tab}>
    ${tab === 0 ? html`
      <${Text} id="l-name" label="Link name" value=${link.name} onInput=${f("name")} error=${e.name} />
      <${Select} id="l-vendor" label="Device type" value=${link.deviceVendor} options=${V.VENDORS} onChange=${f("deviceVendor")} />
      <${Text} id="l-ip" label="IP address (the router's public address)" value=${link.ipAddress} onInput=${f("ipAddress")} error=${e.ipAddress} />
      <${Text} id="l-local" label="Local BGP address (the gateway's)" value=${link.localIp} onInput=${f("localIp")} error=${e["bgpConfiguration.localIpAddress"]} />
      <${Text} id="l-peer" label="Peer BGP address (the router's)" value=${link.peerIp} onInput=${f("peerIp")} error=${e["bgpConfiguration.peerIpAddress"]} />
      <${Text} id="l-asn" label="Link ASN" value=${link.asn} onInput=${f("asn")} error=${e["bgpConfiguration.asn"]} hint="The router's ASN: 1 to 65534, not a reserved one." />
      <${Select} id="l-red" label="Redundancy" value=${link.redundancy} options=${["noRedundancy", "zoneRedundancy"]} onChange=${f("redundancy")} error=${e["redundancyConfiguration.redundancyTier"]} />
      ${link.redundancy === "zoneRedundancy" ? html`<${Text} id="l-zlocal" label="Zone redundancy local BGP address" value=${link.zoneLocalIp} onInput=${f("zoneLocalIp")} error=${e["redundancyConfiguration.zoneLocalIpAddress"]} />` : null}
      <${Select} id="l-bw" label="Bandwidth capacity" value=${link.bandwidth} options=${V.BANDWIDTHS} onChange=${f("bandwidth")} />` : null}
    ${tab === 1 ? html`<${IkePolicy} p=${link} set=${set} errs=${e} />` : null}
    ${tab === 2 ? html`
      <${Text} id="l-psk" type="password" label="Pre-shared key (PSK)" value=${link.psk} onInput=${f("psk")} error=${e["tunnelConfiguration.preSharedKey"]} />
      ${link.redundancy === "zoneRedundancy" ? html`<${Text} id="l-zpsk" type="password" label="Zone redundancy pre-shared key" value=${link.zonePsk} onInput=${f("zonePsk")} error=${e["tunnelConfiguration.zoneRedundancyPreSharedKey"]} />` : null}` : null}
    </div>
    <div class="actions">
      ${tab < 2 ? html`<button type="button" onClick=${() => setTab(tab + 1)}>Next</button>` : null}
      <button type="button" class="primary" onClick=${() => onSave(setTab)}>Add link</button>
      <button type="button" onClick=${onCancel}>Cancel</button>
    </div>
  </section>`;
}

const FIELD_TAB = (k) => /tunnelConfiguration\.(preSharedKey|zoneRedundancyPreSharedKey)/.test(k) ? 2 : /^tunnelConfiguration/.test(k) ? 1 : 0;

export function Wizard({ go }) {
  const [step, setStep] = useState(0);
  const [name, setName] = useState("");
  const [region, setRegion] = useState("eastUS");
  const [links, setLinks] = useState([]);
  const [editing, setEditing] = useState(null);
  const [touched, setTouched] = useState(false);
  const [serverErrs, setServerErrs] = useState({});
  const [profiles, setProfiles] = useState([]);
  const [chosen, setChosen] = useState(new Set());
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => { api.profiles().then((p) => setProfiles(p.filter((x) => x.trafficForwardingType !== "private")), setErr); }, []);
  const nameErr = touched || name ? V.vName(name) : null;
  const editErrs = editing ? { ...V.validateLink(editing.link, links.filter((_, i) => i !== editing.index)), ...(editing.server || {}) } : {};
  function setEdit(l) { setEditing({ ...editing, link: l, server: {} }); }
  function saveLink(setTab) {
    const e = V.validateLink(editing.link, links.filter((_, i) => i !== editing.index));
    const k = Object.keys(e);
    if (k.length) { setTab(FIELD_TAB(k[0])); return; }
    const l = links.slice();
    if (editing.index < 0) l.push(editing.link); else l[editing.index] = editing.link;
    setLinks(l); setEditing(null);
  }
  async function create() {
    setBusy(true); setErr(null); setServerErrs({});
    const body = { name, region, deviceLinks: links.map(V.linkBody), forwardingProfiles: [...chosen].map((id) => ({ id })) };
    try {
      const rn = await api.createNetwork(body);
      go("#/networks/" + rn.id);
    } catch (x) {
      setErr(x);
      // Put the server's message next to its field: open that link's form.
      const m = /^deviceLinks\[(\d+)\]/.exec(x.target || (x.details[0] && x.details[0].target) || "");
      const fields = x.fields();
      if (m && links[+m[1]]) { setStep(1); setEditing({ index: +m[1], link: links[+m[1]], server: fields }); }
      else { setServerErrs(fields); if (fields.name || fields.region) setStep(0); }
    } finally { setBusy(false); }
  }
  const canNext = step !== 0 || (!V.vName(name));
  return html`<main id="main">
    <nav aria-label="Breadcrumb" class="crumbs"><a href="#/networks">Remote networks</a> › Create remote network</nav>
    <h1>Create remote network</h1>
    <${Tabs} names=${STEPS} cur=${step} onPick=${(i) => { if (i === 0 || !V.vName(name)) setStep(i); else setTouched(true); }} label="Create remote network" />
    <div role="tabpanel" aria-labelledby=${"Create remote network-tab-" + step} class="panel">
    ${step === 0 ? html`
      <${Text} id="rn-name" label="Name" value=${name} onInput=${(v) => { setName(v); setTouched(true); }} error=${nameErr || serverErrs.name} />
      <${Select} id="rn-region" label="Region" value=${region} options=${V.REGIONS} onChange=${setRegion} error=${serverErrs.region} />` : null}
    ${step === 1 ? html`
      ${links.length ? html`<table class="grid"><caption class="sr">Links to create</caption><thead><tr><th scope="col">Link</th><th scope="col">IP address</th><th scope="col">Redundancy</th><th scope="col">Policy</th><th scope="col"><span class="sr">Actions</span></th></tr></thead><tbody>
        ${links.map((l, i) => html`<tr><td data-label="Link">${l.name}</td><td data-label="IP address">${l.ipAddress}</td><td data-label="Redundancy">${l.redundancy}</td><td data-label="Policy">${l.policy}</td>
          <td><button type="button" onClick=${() => setEditing({ index: i, link: l, server: {} })}>Edit</button> <button type="button" onClick=${() => setLinks(links.filter((_, j) => j !== i))}>Remove</button></td></tr>`)}
      </tbody></table>` : html`<p>No links yet. A remote network needs at least one link to carry traffic; you can also add links later.</p>`}
      ${editing ? html`<${LinkForm} link=${editing.link} errs=${editErrs} set=${setEdit} onSave=${saveLink} onCancel=${() => setEditing(null)} />`
        : links.length < 4 ? html`<button type="button" onClick=${() => setEditing({ index: -1, link: V.newLink(), server: {} })}>Add a link</button>` : html`<p>A remote network has at most 4 links.</p>`}` : null}
    ${step === 2 ? html`<fieldset><legend>Traffic forwarding profiles</legend>
      ${profiles.map((p) => html`<div><input type="checkbox" id=${"wp-" + p.id} checked=${chosen.has(p.id)} onChange=${() => { const c = new Set(chosen); c.has(p.id) ? c.delete(p.id) : c.add(p.id); setChosen(c); }} /> <label for=${"wp-" + p.id}>${p.name}</label></div>`)}
      </fieldset>` : null}
    ${step === 3 ? html`<dl class="review">
      <dt>Name</dt><dd>${name}</dd><dt>Region</dt><dd>${region}</dd>
      <dt>Links</dt><dd>${links.map((l) => l.name + " (" + l.ipAddress + ", ASN " + l.asn + ", " + l.redundancy + ", " + l.policy + " policy)").join("; ") || "None"}</dd>
      <dt>Traffic profiles</dt><dd>${profiles.filter((p) => chosen.has(p.id)).map((p) => p.name).join(", ") || "None"}</dd></dl>` : null}
    </div>
    <${Banner} error=${err} />
    <div class="actions">
      ${step > 0 ? html`<button type="button" onClick=${() => setStep(step - 1)}>Previous</button>` : null}
      ${step < 3 ? html`<button type="button" class="primary" disabled=${!canNext || (step === 1 && editing)} onClick=${() => setStep(step + 1)}>Next</button>` :
        html`<button type="button" class="primary" disabled=${busy} onClick=${create}>Create remote network</button>`}
    </div>
  </main>`;
}
