// traffic.js - Traffic logs: logs/traffic filtered by action, destination
// FQDN, remote network and protocol ($filter ... eq ... and ...), newest
// first, paged by @odata.nextLink; and the reports' trafficSummary (per
// action, top destinations, top policies) for the last hour or day.
import { useEffect, useState } from "preact/hooks";
import { api, policyApi, trafficApi } from "../api.js";
import { Banner, fmtBytes, html } from "../ui.js";

const PAGE = 25;
const WINDOWS = { hour: ["Last hour", 3600e3], day: ["Last 24 hours", 86400e3] };
const q = (s) => "'" + s.replace(/'/g, "''") + "'";	// OData string literal

export function trafficFilter({ action, fqdn, rn, proto }) {
  const f = [];
  if (action) f.push("action eq " + q(action));
  if (fqdn) f.push("destinationFQDN eq " + q(fqdn.trim().toLowerCase()));
  if (rn) f.push("remoteNetworkId eq " + q(rn));
  if (proto) f.push("transportProtocol eq " + q(proto));
  return f.join(" and ");
}

// A filter select whose empty choice reads "Any".
function AnySelect({ id, label, value, options, onChange }) {
  return html`<div class="field"><label for=${id}>${label}</label><select id=${id} value=${value} onChange=${(e) => onChange(e.currentTarget.value)}>
    <option value="">Any</option>${options.map((o) => html`<option value=${o}>${o}</option>`)}</select></div>`;
}

function Summary({ names, pname }) {
  const [win, setWin] = useState("hour");
  const [s, setS] = useState(null);
  const [err, setErr] = useState(null);
  useEffect(() => {
    const to = new Date(), from = new Date(to.getTime() - WINDOWS[win][1]);
    trafficApi.summary(from.toISOString(), to.toISOString(), 5).then((x) => { setS(x); setErr(null); }, setErr);
  }, [win]);
  const block = (s && s.actions.find((a) => a.action === "block")) || { count: 0 };
  const total = s ? s.actions.reduce((n, a) => n + a.count, 0) : 0;
  return html`<section aria-labelledby="sum-h" class="panel"><div class="titlebar"><h2 id="sum-h">Summary</h2>
      <div class="field"><label for="sum-win">Time range</label><select id="sum-win" value=${win} onChange=${(e) => setWin(e.currentTarget.value)}>
        ${Object.entries(WINDOWS).map(([k, v]) => html`<option value=${k}>${v[0]}</option>`)}</select></div></div>
    <${Banner} error=${err} />
    ${s ? html`<div class="sums">
      <div><h3>Transactions</h3><p class="big">${total}</p><p><span class="act block">${block.count} blocked</span></p>
        <ul class="plain">${s.actions.map((a) => html`<li>${a.action}: ${a.count} (${fmtBytes(a.sentBytes)} sent, ${fmtBytes(a.receivedBytes)} received)</li>`)}</ul></div>
      <div><h3>Top destinations</h3>${s.destinations.length ? html`<ol>${s.destinations.map((d) => html`<li>${d.destination}: ${d.count}${d.blockedCount ? html` <span class="act block">(${d.blockedCount} blocked)</span>` : null}</li>`)}</ol>` : html`<p>None.</p>`}</div>
      <div><h3>Top policies</h3>${s.policies.length ? html`<ol>${s.policies.map((p) => html`<li>${p.policyId ? pname(p.policyId) : "No policy matched"}: ${p.count}${p.blockedCount ? html` <span class="act block">(${p.blockedCount} blocked)</span>` : null}</li>`)}</ol>` : html`<p>None.</p>`}</div>
    </div>` : html`<p>Loading…</p>`}
  </section>`;
}

export function Traffic() {
  const [nets, setNets] = useState([]);
  const [pols, setPols] = useState({});
  const [flt, setFlt] = useState({ action: "", fqdn: "", rn: "", proto: "" });
  const [fqdn, setFqdn] = useState("");
  const [pages, setPages] = useState([]);
  const [page, setPage] = useState(null);
  const [err, setErr] = useState(null);
  useEffect(() => {
    api.listNetworks().then(setNets, setErr);
    // Names of both kinds: filtering policies, and what the baseline links (the firewall's).
    Promise.all([policyApi.listPolicies(), policyApi.baseline()]).then(([l, b]) => {
      const m = Object.fromEntries(l.map((p) => [p.id, p.name]));
      for (const k of (b && b.policies) || []) if (k.policy) m[k.policy.id] = k.policy.name;
      setPols(m);
    }, () => {});
  }, []);
  function query() {
    const f = trafficFilter(flt);
    return "$top=" + PAGE + "&$count=true&$orderby=" + encodeURIComponent("createdDateTime desc") + (f ? "&$filter=" + encodeURIComponent(f) : "");
  }
  async function load(next, stack) {
    try { setPage(await trafficApi.list(query(), next)); setPages(stack); setErr(null); } catch (x) { setErr(x); }
  }
  useEffect(() => { load(null, []); }, [flt]);
  const names = Object.fromEntries(nets.map((n) => [n.id, n.name]));
  const pname = (id) => pols[id] || id;
  const setF = (k) => (v) => setFlt({ ...flt, [k]: v });
  return html`<main id="main">
    <h1>Traffic logs</h1>
    <${Summary} names=${names} pname=${pname} />
    <h2>Transactions</h2>
    <form class="filters" onSubmit=${(e) => { e.preventDefault(); setFlt({ ...flt, fqdn }); }} aria-label="Filter traffic logs">
      <${AnySelect} id="t-action" label="Action" value=${flt.action} options=${["allow", "block"]} onChange=${setF("action")} />
      <div class="field"><label for="t-fqdn">Destination FQDN</label><input id="t-fqdn" type="search" value=${fqdn} placeholder="www.contoso.com" onInput=${(e) => setFqdn(e.currentTarget.value)} /></div>
      <div class="field"><label for="t-rn">Remote network</label><select id="t-rn" value=${flt.rn} onChange=${(e) => setF("rn")(e.currentTarget.value)}>
        <option value="">Any</option>${nets.map((n) => html`<option value=${n.id}>${n.name}</option>`)}</select></div>
      <${AnySelect} id="t-proto" label="Protocol" value=${flt.proto} options=${["tcp", "udp", "icmp"]} onChange=${setF("proto")} />
      <button type="submit">Apply</button>
    </form>
    <${Banner} error=${err} />
    ${page ? html`<p role="status">${page["@odata.count"]} transactions</p>
    ${page.value.length ? html`<table class="grid traffic"><caption class="sr">Traffic transactions, newest first</caption>
      <thead><tr><th scope="col">Time</th><th scope="col">Source</th><th scope="col">Destination</th><th scope="col">Protocol</th><th scope="col">Action</th><th scope="col">Policy</th><th scope="col">Sent / received</th></tr></thead>
      <tbody>${page.value.map((t) => html`<tr class=${t.action === "block" ? "blocked" : undefined}>
        <td data-label="Time">${new Date(t.createdDateTime).toLocaleString()}</td>
        <td data-label="Source">${t.sourceIp}:${t.sourcePort}${t.remoteNetworkId ? html`<div class="hint">${names[t.remoteNetworkId] || t.remoteNetworkId}</div>` : null}</td>
        <td data-label="Destination" class="wrap">${t.destinationFQDN ? html`${t.destinationFQDN}<div class="hint">${t.destinationIp}:${t.destinationPort}</div>` : t.destinationIp + ":" + t.destinationPort}</td>
        <td data-label="Protocol">${t.transportProtocol}</td>
        <td data-label="Action"><span class=${"act " + t.action}>${t.action}</span>${t.description ? html`<div class="hint">${t.description}</div>` : null}</td>
        <td data-label="Policy">${t.policyId ? pname(t.policyId) : "–"}</td>
        <td data-label="Sent / received">${fmtBytes(t.sentBytes)} / ${fmtBytes(t.receivedBytes)}</td></tr>`)}</tbody></table>` : html`<p>No transactions match.</p>`}
    <div class="actions">
      <button type="button" disabled=${pages.length === 0} onClick=${() => { const s = pages.slice(0, -1); load(s[s.length - 1] || null, s); }}>Previous page</button>
      <button type="button" disabled=${!page["@odata.nextLink"]} onClick=${() => load(page["@odata.nextLink"], pages.concat([page["@odata.nextLink"]]))}>Next page</button>
    </div>` : null}
  </main>`;
}
