// firewall.js - Cloud firewall: the rules of the cloud firewall policy the
// baseline profile links (the only one that acts on remote network
// traffic). Like `branchgate firewall rule add`, the first rule creates
// that policy ("Baseline firewall") and its link. New rules start disabled.
import { useEffect, useState } from "preact/hooks";
import { policyApi } from "../api.js";
import { Banner, html, Select, Text } from "../ui.js";

const NA = "#microsoft.graph.networkaccess.";
const DEFAULT_NAME = "Baseline firewall";
const PROTOS = { "tcp,udp": "TCP and UDP", tcp: "TCP", udp: "UDP" };
const list = (s) => s.split(",").map((x) => x.trim()).filter(Boolean);
const MAP = [["matchingConditions.sources.addresses", "srcA"], ["matchingConditions.sources.ports", "srcP"],
  ["matchingConditions.destinations.addresses", "dstA"], ["matchingConditions.destinations.ports", "dstP"],
  ["matchingConditions.destinations.protocols", "proto"], ["priority", "prio"], ["name", "name"], ["action", "action"]];
function byField(x) {
  const out = {};
  for (const [t, m] of Object.entries(x.fields())) {
    const k = MAP.find(([p]) => t === p || t.startsWith(p + "[") || t.startsWith(p + "."));
    const f = k ? k[1] : "_";
    if (!out[f]) out[f] = m;
  }
  if (!Object.keys(out).length) out._ = x.message;
  return out;
}
const addrs = (side) => ((side && side.addresses) || []).flatMap((a) => a.values || []);
function sideText(side) {
  const a = addrs(side), p = (side && side.ports) || [];
  return (a.length ? a.join(", ") : "any address") + (p.length ? " port " + p.join(", ") : "");
}
function addrObj(values, dst) {
  return values.length ? [{ "@odata.type": NA + (dst ? "cloudFirewallDestinationIpAddress" : "cloudFirewallSourceIpAddress"), values }] : [];
}

export function Firewall() {
  const [base, setBase] = useState(null);
  const [rules, setRules] = useState(null);
  const [err, setErr] = useState(null);
  const [msg, setMsg] = useState("");
  const [f, setF] = useState({ name: "", prio: "", action: "block", srcA: "", srcP: "", dstA: "", dstP: "", proto: "tcp,udp" });
  const [fe, setFe] = useState({});
  const fwLink = base && (base.policies || []).find((l) => l["@odata.type"] === NA + "cloudFirewallPolicyLink");
  async function load(m) {
    if (m) setMsg(m);
    try {
      const b = await policyApi.baseline();
      const l = (b.policies || []).find((x) => x["@odata.type"] === NA + "cloudFirewallPolicyLink");
      setBase(b);
      setRules(l ? await policyApi.firewallRules(l.policy.id) : []);
      setErr(null);
    } catch (x) { setErr(x); }
  }
  useEffect(() => { load(); }, []);
  const set = (k) => (v) => { setF({ ...f, [k]: v }); setFe({ ...fe, [k]: null }); };
  async function add(e) {
    e.preventDefault();
    const c = {};
    if (!f.name) c.name = "name must not be empty";
    if (!/^\d+$/.test(f.prio) || Number(f.prio) < 100) c.prio = "priority must be an integer of 100 or more";
    if (!f.srcA && !f.srcP && !f.dstA && !f.dstP) c._ = "matchingConditions: give at least a source or a destination";
    if (Object.keys(c).length) { setFe(c); return; }
    try {
      let pid = fwLink && fwLink.policy.id, created = "";
      if (!pid) {
        const p = await policyApi.createFirewall(DEFAULT_NAME);
        await policyApi.link(base.id, { "@odata.type": NA + "cloudFirewallPolicyLink", state: "enabled", policy: { id: p.id } });
        pid = p.id; created = "Cloud firewall policy '" + DEFAULT_NAME + "' created and linked to the baseline profile. ";
      }
      const mc = {};
      if (f.srcA || f.srcP) mc.sources = { addresses: addrObj(list(f.srcA), false), ports: list(f.srcP) };
      mc.destinations = { addresses: addrObj(list(f.dstA), true), ports: list(f.dstP), protocols: f.proto };
      const r = await policyApi.addFirewallRule(pid, { "@odata.type": NA + "cloudFirewallRule", name: f.name,
        priority: Number(f.prio), action: f.action, matchingConditions: mc });
      setF({ ...f, name: "", prio: "", srcA: "", srcP: "", dstA: "", dstP: "" }); setFe({});
      load(created + "Firewall rule " + r.name + " created, disabled.");
    } catch (x) { setFe(byField(x)); load(); }
  }
  async function toggle(r) {
    const on = r.settings.status !== "enabled";
    try { await policyApi.updateFirewallRule(fwLink.policy.id, r.id, { settings: { status: on ? "enabled" : "disabled" } }); load("Firewall rule " + r.name + (on ? " enabled." : " disabled.")); }
    catch (x) { setErr(x); }
  }
  async function del(r) {
    if (!confirm("Delete the firewall rule '" + r.name + "'?")) return;
    try { await policyApi.deleteFirewallRule(fwLink.policy.id, r.id); load("Firewall rule " + r.name + " deleted."); } catch (x) { setErr(x); }
  }
  return html`<main id="main">
    <h1>Cloud firewall</h1>
    <${Banner} error=${err} />
    <p role="status" class="ok-msg">${msg}</p>
    ${base === null ? html`<p>Loading…</p>` : html`
    <p>${fwLink ? html`Rules of the cloud firewall policy <strong>${fwLink.policy.name}</strong>, linked to the baseline profile (${fwLink.state}). Lower priorities are evaluated first; traffic no rule matches is allowed.`
      : "No cloud firewall policy is linked to the baseline profile yet: the first rule creates one (" + DEFAULT_NAME + ") and links it."}</p>
    ${rules && rules.length ? html`<table class="grid"><caption class="sr">Cloud firewall rules by priority</caption>
      <thead><tr><th scope="col">Priority</th><th scope="col">Name</th><th scope="col">Action</th><th scope="col">Source</th><th scope="col">Destination</th><th scope="col">Protocol</th><th scope="col">Enabled</th><th scope="col"><span class="sr">Actions</span></th></tr></thead>
      <tbody>${rules.map((r) => html`<tr>
        <td data-label="Priority">${r.priority}</td><td data-label="Name">${r.name}</td>
        <td data-label="Action"><span class=${"act " + r.action}>${r.action}</span></td>
        <td data-label="Source" class="wrap">${sideText(r.matchingConditions.sources)}</td>
        <td data-label="Destination" class="wrap">${sideText(r.matchingConditions.destinations)}</td>
        <td data-label="Protocol">${PROTOS[(r.matchingConditions.destinations || {}).protocols || "tcp,udp"] || r.matchingConditions.destinations.protocols}</td>
        <td data-label="Enabled"><button type="button" role="switch" class="switch" aria-checked=${r.settings.status === "enabled" ? "true" : "false"}
          aria-label=${"Enabled: " + r.name} onClick=${() => toggle(r)}>${r.settings.status === "enabled" ? "On" : "Off"}</button></td>
        <td><button type="button" class="danger" onClick=${() => del(r)} aria-label=${"Delete rule " + r.name}>Delete</button></td></tr>`)}</tbody></table>`
      : html`<p>No firewall rules.</p>`}
    <form class="panel" onSubmit=${add} aria-labelledby="fw-add-h">
      <h2 id="fw-add-h">Add a firewall rule</h2>
      <p class="hint">New rules start <strong>disabled</strong>, as in the admin center: turn a rule on with its Enabled switch once it is right.</p>
      <div class="inline">
        <${Text} id="fw-name" label="Rule name" value=${f.name} onInput=${set("name")} error=${fe.name} />
        <${Text} id="fw-prio" label="Priority" value=${f.prio} onInput=${set("prio")} error=${fe.prio} hint="100 or more, unique; lower is evaluated first." />
        <${Select} id="fw-action" label="Action" value=${f.action} options=${["block", "allow"]} onChange=${set("action")} error=${fe.action} />
      </div>
      <div class="inline">
        <${Text} id="fw-srca" label="Source addresses" value=${f.srcA} onInput=${set("srcA")} error=${fe.srcA} hint="Comma separated: 192.0.2.1, 192.0.2.0/24, 192.0.2.1-192.0.2.9. Empty: any." />
        <${Text} id="fw-srcp" label="Source ports" value=${f.srcP} onInput=${set("srcP")} error=${fe.srcP} hint="80, 1024-2048. Empty: any." />
      </div>
      <div class="inline">
        <${Text} id="fw-dsta" label="Destination addresses" value=${f.dstA} onInput=${set("dstA")} error=${fe.dstA} hint="IPv4 addresses, prefixes or ranges. Empty: any." />
        <${Text} id="fw-dstp" label="Destination ports" value=${f.dstP} onInput=${set("dstP")} error=${fe.dstP} />
        <div class="field"><label for="fw-proto">Protocol</label><select id="fw-proto" value=${f.proto} onChange=${(e) => set("proto")(e.currentTarget.value)}>
          ${Object.entries(PROTOS).map(([k, v]) => html`<option value=${k}>${v}</option>`)}</select>
          ${fe.proto ? html`<div class="error" role="alert">${fe.proto}</div>` : null}</div>
      </div>
      ${fe._ ? html`<div class="error" role="alert">${fe._}</div>` : null}
      <button type="submit" class="primary">Add rule</button>
    </form>`}
  </main>`;
}
