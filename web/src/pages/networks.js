// networks.js - the Remote networks list: per link the status endpoint's
// view (tunnel, BGP, routes, the typed reason), refreshed every 5 s.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.js";
import { Banner, html } from "../ui.js";

const REFRESH_MS = 5000;

export function linkState(s) {
  if (!s) return { text: "Unknown", cls: "unknown", detail: "" };
  const h = s.health || {};
  if (h.reason === "ok") return { text: "Connected", cls: "ok", detail: h.detail || "" };
  return { text: s.tunnelState === "connected" ? "Connected, not passing traffic" : "Disconnected", cls: "bad", reason: h.reason, detail: h.detail || "" };
}

export function Networks({ go }) {
  const [list, setList] = useState(null);
  const [status, setStatus] = useState({});
  const [err, setErr] = useState(null);
  useEffect(() => {
    let live = true, timer;
    async function load() {
      try {
        const l = await api.listNetworks();
        const st = {};
        await Promise.all(l.flatMap((rn) => (rn.deviceLinks || []).map((dl) =>
          api.linkStatus(rn.id, dl.id).then((s) => { st[dl.id] = s; }, () => {}))));
        if (!live) return;
        setList(l); setStatus(st); setErr(null);
      } catch (x) { if (live) setErr(x); }
      if (live) timer = setTimeout(load, REFRESH_MS);
    }
    load();
    return () => { live = false; clearTimeout(timer); };
  }, []);
  return html`<main id="main">
    <div class="titlebar"><h1>Remote networks</h1>
      <button class="primary" onClick=${() => go("#/create")}>Create remote network</button></div>
    <${Banner} error=${err} />
    ${list === null ? html`<p>Loading…</p>` : list.length === 0 ? html`<p>No remote networks yet. Create one to connect a branch.</p>` : html`
    <table class="grid"><caption class="sr">Remote networks of this tenant</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Region</th><th scope="col">Links</th><th scope="col">Traffic profiles</th><th scope="col">Connectivity</th><th scope="col"><span class="sr">Actions</span></th></tr></thead>
      <tbody>${list.map((rn) => html`<tr>
        <td data-label="Name"><a href=${"#/networks/" + rn.id}>${rn.name}</a></td>
        <td data-label="Region">${rn.region}</td>
        <td data-label="Links">${(rn.deviceLinks || []).length}</td>
        <td data-label="Traffic profiles">${(rn.forwardingProfiles || []).map((p) => p.name).join(", ") || "None"}</td>
        <td data-label="Connectivity"><ul class="states">${(rn.deviceLinks || []).map((dl) => {
          const s = linkState(status[dl.id]);
          return html`<li><a href=${"#/networks/" + rn.id + "/links/" + dl.id}>${dl.name}</a>: <span class=${"state " + s.cls}>${s.text}</span>${s.reason ? html` <span class="reason">(${s.reason}) ${s.detail}</span>` : null}</li>`;
        })}</ul></td>
        <td><a href=${"#/networks/" + rn.id + "/configuration"}>View configuration</a></td>
      </tr>`)}</tbody></table>`}
  </main>`;
}
