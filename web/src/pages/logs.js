// logs.js - Health logs: logs/remoteNetworks with the API's $filter
// (remote network, status, time) and its paging (@odata.nextLink).
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.js";
import { Banner, fmtBytes, html, Select } from "../ui.js";

const STATUSES = ["", "tunnelConnected", "tunnelDisconnected", "bgpConnected", "bgpDisconnected", "remoteNetworkAlive"];
const PAGE = 25;

export function Logs() {
  const [nets, setNets] = useState([]);
  const [rn, setRn] = useState("");
  const [status, setStatus] = useState("");
  const [since, setSince] = useState("");
  const [pages, setPages] = useState([]);	// nextLinks of the pages seen
  const [page, setPage] = useState(null);
  const [err, setErr] = useState(null);
  useEffect(() => { api.listNetworks().then(setNets, setErr); }, []);
  function query() {
    const f = [];
    if (rn) f.push(`remoteNetworkId eq '${rn}'`);
    if (status) f.push(`status eq '${status}'`);
    if (since) f.push(`createdDateTime ge ${new Date(since).toISOString()}`);
    return "$top=" + PAGE + "&$count=true" + (f.length ? "&$filter=" + encodeURIComponent(f.join(" and ")) : "");
  }
  async function load(next, stack) {
    try { setPage(await api.logs(query(), next)); setPages(stack); setErr(null); } catch (x) { setErr(x); }
  }
  useEffect(() => { load(null, []); }, [rn, status, since]);
  const names = Object.fromEntries(nets.map((n) => [n.id, n.name]));
  return html`<main id="main">
    <h1>Health logs</h1>
    <form class="filters" onSubmit=${(e) => { e.preventDefault(); load(null, []); }}>
      <${Select} id="f-rn" label="Remote network" value=${rn} options=${[""].concat(nets.map((n) => n.id))} onChange=${setRn} />
      <${Select} id="f-status" label="Status" value=${status} options=${STATUSES} onChange=${setStatus} />
      <div class="field"><label for="f-since">From (local time)</label><input id="f-since" type="datetime-local" value=${since} onInput=${(e) => setSince(e.currentTarget.value)} /></div>
      <button type="submit">Refresh</button>
    </form>
    <${Banner} error=${err} />
    ${page ? html`<p role="status">${page["@odata.count"]} events</p>
    ${page.value.length ? html`<table class="grid"><caption class="sr">Health events, newest first</caption>
      <thead><tr><th scope="col">Time</th><th scope="col">Remote network</th><th scope="col">Status</th><th scope="col">Description</th><th scope="col">Source → gateway</th><th scope="col">Sent / received</th></tr></thead>
      <tbody>${page.value.map((e) => html`<tr><td data-label="Time">${new Date(e.createdDateTime).toLocaleString()}</td><td data-label="Remote network">${names[e.remoteNetworkId] || e.remoteNetworkId}</td>
        <td data-label="Status">${e.status}</td><td data-label="Description">${e.description}</td><td data-label="Source → gateway">${e.sourceIp} → ${e.destinationIp}</td><td data-label="Sent / received">${fmtBytes(e.sentBytes)} / ${fmtBytes(e.receivedBytes)}</td></tr>`)}</tbody></table>` : html`<p>No events match.</p>`}
    <div class="actions">
      <button type="button" disabled=${pages.length === 0} onClick=${() => { const s = pages.slice(0, -1); load(s[s.length - 1] || null, s); }}>Previous page</button>
      <button type="button" disabled=${!page["@odata.nextLink"]} onClick=${() => load(page["@odata.nextLink"], pages.concat([page["@odata.nextLink"]]))}>Next page</button>
    </div>` : null}
  </main>`;
}
