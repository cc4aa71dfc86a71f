// network.js - one remote network: rename, links (PSK, policy, delete),
// traffic profile assignment, delete with confirmation.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.js";
import { Banner, html, Text } from "../ui.js";
import { policyBody, policyFromLink, validatePolicy, vName, vPsk } from "../validate.js";
import { IkePolicy } from "../ikepolicy.js";

// A link's Edit IKE policy form: the same fields and rules as Add a link;
// the server's refusal is shown next to the field it names.
function EditPolicy({ rn, dl, onDone, onCancel }) {
  const [p, setP] = useState(policyFromLink(dl));
  const [server, setServer] = useState({});
  const [err, setErr] = useState(null);
  const errs = { ...validatePolicy(p), ...server };
  async function save(e) {
    e.preventDefault();
    if (Object.keys(validatePolicy(p)).length) return;
    try {
      await api.updateLink(rn, dl.id, { tunnelConfiguration: policyBody(p) });
      onDone();
    } catch (x) {
      const f = x.fields();
      if (Object.keys(f).length) setServer(f); else setErr(x);
    }
  }
  return html`<form class="panel" onSubmit=${save} aria-label=${"IKE policy of " + dl.name}>
    <${IkePolicy} p=${p} set=${(v) => { setP(v); setServer({}); }} errs=${errs} pre=${"e" + dl.id.slice(0, 8) + "-"} />
    <${Banner} error=${err} />
    <p class="hint">Saving renegotiates: the tunnel goes down and the router must reconnect with the new policy.</p>
    <div class="actions"><button type="submit" class="primary">Save IKE policy</button>
      <button type="button" onClick=${onCancel}>Cancel</button></div>
  </form>`;
}

export function Network({ id, go }) {
  const [rn, setRn] = useState(null);
  const [profiles, setProfiles] = useState([]);
  const [err, setErr] = useState(null);
  const [name, setName] = useState("");
  const [nameErr, setNameErr] = useState(null);
  const [psk, setPsk] = useState({});
  const [pskErr, setPskErr] = useState({});
  const [msg, setMsg] = useState("");
  const [editPol, setEditPol] = useState(null);
  async function load() {
    try {
      const r = await api.getNetwork(id);
      setRn(r); setName(r.name);
      setProfiles((await api.profiles()).filter((p) => p.trafficForwardingType !== "private"));
    } catch (x) { setErr(x); }
  }
  useEffect(() => { load(); }, [id]);
  if (err && !rn) return html`<main id="main"><${Banner} error=${err} /></main>`;
  if (!rn) return html`<main id="main"><p>Loading…</p></main>`;
  const assigned = new Set((rn.forwardingProfiles || []).map((p) => p.id));
  async function rename(e) {
    e.preventDefault();
    const v = vName(name);
    if (v) { setNameErr(v); return; }
    try { await api.renameNetwork(id, name); setMsg("Name saved."); setNameErr(null); load(); } catch (x) { setNameErr(x.message); }
  }
  async function savePsk(dl) {
    const v = vPsk("preSharedKey", psk[dl.id] || "");
    if (v) { setPskErr({ ...pskErr, [dl.id]: v }); return; }
    try {
      await api.updateLink(id, dl.id, { tunnelConfiguration: { "@odata.type": dl.tunnelConfiguration["@odata.type"], preSharedKey: psk[dl.id] } });
      setPsk({ ...psk, [dl.id]: "" }); setPskErr({ ...pskErr, [dl.id]: null }); setMsg("Pre-shared key of " + dl.name + " changed.");
    } catch (x) { setPskErr({ ...pskErr, [dl.id]: x.message }); }
  }
  async function toggle(p) {
    try {
      await api.setProfiles(id, assigned.has(p.id) ? [] : [p.id], assigned.has(p.id) ? [p.id] : []);
      load();
    } catch (x) { setErr(x); }
  }
  async function delLink(dl) {
    if (!confirm("Delete the device link '" + dl.name + "'? Its tunnels go down at once.")) return;
    try { await api.deleteLink(id, dl.id); load(); } catch (x) { setErr(x); }
  }
  async function del() {
    if (!confirm("Delete the remote network '" + rn.name + "' and its " + (rn.deviceLinks || []).length + " device links?")) return;
    try { await api.deleteNetwork(id); go("#/networks"); } catch (x) { setErr(x); }
  }
  return html`<main id="main">
    <nav aria-label="Breadcrumb" class="crumbs"><a href="#/networks">Remote networks</a> › ${rn.name}</nav>
    <div class="titlebar"><h1>${rn.name}</h1>
      <div><a class="button" href=${"#/networks/" + id + "/configuration"}>View configuration</a>
      <button class="danger" onClick=${del}>Delete remote network</button></div></div>
    <${Banner} error=${err} />
    ${msg ? html`<p role="status" class="ok-msg">${msg}</p>` : null}
    <section><h2>Basics</h2>
      <form onSubmit=${rename} class="inline">
        <${Text} id="rn-name" label="Name" value=${name} onInput=${(v) => { setName(v); setNameErr(vName(v)); }} error=${nameErr} />
        <button type="submit">Save name</button>
      </form>
      <p>Region: <strong>${rn.region}</strong> (cannot change)</p>
    </section>
    <section><h2>Links</h2>
      ${(rn.deviceLinks || []).length === 0 ? html`<p>No device links.</p>` : html`<ul class="cards">${rn.deviceLinks.map((dl) => html`<li class="card">
        <h3><a href=${"#/networks/" + id + "/links/" + dl.id}>${dl.name}</a></h3>
        <p>${dl.ipAddress} · ASN ${dl.bgpConfiguration.asn} · ${dl.redundancyConfiguration.redundancyTier} · ${dl.tunnelConfiguration["@odata.type"].endsWith("Custom") ? "Custom IKE policy" : "Default IKE policy"}</p>
        <${Text} id=${"psk-" + dl.id} type="password" label=${"New pre-shared key for " + dl.name} value=${psk[dl.id] || ""} onInput=${(v) => { setPsk({ ...psk, [dl.id]: v }); setPskErr({ ...pskErr, [dl.id]: v ? vPsk("preSharedKey", v) : null }); }} error=${pskErr[dl.id]} hint="Write-only: the current key is never shown." />
        <button onClick=${() => savePsk(dl)}>Change pre-shared key</button>
        <button onClick=${() => setEditPol(editPol === dl.id ? null : dl.id)} aria-expanded=${editPol === dl.id ? "true" : "false"}>Edit IKE policy</button>
        <button class="danger" onClick=${() => delLink(dl)}>Delete link</button>
        ${editPol === dl.id ? html`<${EditPolicy} rn=${id} dl=${dl} onCancel=${() => setEditPol(null)} onDone=${() => { setEditPol(null); setMsg("IKE policy of " + dl.name + " saved."); load(); }} />` : null}
      </li>`)}</ul>`}
    </section>
    <section><h2>Traffic profiles</h2>
      <fieldset><legend>Assigned traffic forwarding profiles</legend>
      ${profiles.map((p) => html`<div><input type="checkbox" id=${"p-" + p.id} checked=${assigned.has(p.id)} onChange=${() => toggle(p)} /> <label for=${"p-" + p.id}>${p.name}</label></div>`)}
      </fieldset>
    </section>
  </main>`;
}
