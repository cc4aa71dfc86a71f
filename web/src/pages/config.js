// config.js - View configuration: the gateway side per link, as the
// connectivityConfiguration endpoint gives it, with a copy button, the raw
// JSON, and the router configuration per cpeConfiguration format.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.js";
import { Banner, html } from "../ui.js";

export const FORMATS = [["swanctl", "strongSwan (swanctl.conf)", "swanctl.conf"], ["bird", "BIRD 2", "bird.conf"], ["frr", "FRR", "frr.conf"]];

function download(name, text) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
  a.download = name;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 0);
}

function linkText(l) {
  const lines = ["Link " + l.displayName];
  l.localConfigurations.forEach((c, i) => lines.push(
    `  Gateway zone ${i + 1}: endpoint ${c.endpoint}, ASN ${c.asn}, BGP address ${c.bgpAddress}, region ${c.region}`));
  const p = l.peerConfiguration;
  lines.push(`  Your router: endpoint ${p.endpoint}, ASN ${p.asn}, BGP address ${p.bgpAddress}`);
  return lines.join("\n");
}

export function Config({ id }) {
  const [cfg, setCfg] = useState(null);
  const [err, setErr] = useState(null);
  const [copied, setCopied] = useState("");
  useEffect(() => { api.connectivity(id).then(setCfg, setErr); }, [id]);
  async function copy(l) {
    try { await navigator.clipboard.writeText(linkText(l)); setCopied("Copied the configuration of " + l.displayName + "."); }
    catch (_) { setCopied("The browser refused the clipboard; select the text instead."); }
  }
  async function dl(l, f) {
    try { download(l.displayName.replace(/[^A-Za-z0-9._-]+/g, "_") + "-" + f[2], await api.cpe(id, l.id, f[0])); }
    catch (x) { setErr(x); }
  }
  if (!cfg) return html`<main id="main"><${Banner} error=${err} />${err ? null : html`<p>Loading…</p>`}</main>`;
  return html`<main id="main">
    <nav aria-label="Breadcrumb" class="crumbs"><a href="#/networks">Remote networks</a> › <a href=${"#/networks/" + id}>${cfg.remoteNetworkName}</a> › View configuration</nav>
    <h1>View configuration: ${cfg.remoteNetworkName}</h1>
    <${Banner} error=${err} />
    <p role="status" class="ok-msg">${copied}</p>
    ${(cfg.links || []).map((l) => html`<section class="card" aria-label=${"Link " + l.displayName}>
      <h2>${l.displayName}</h2>
      <table class="grid kv"><caption class="sr">Gateway side of ${l.displayName}</caption>
        <thead><tr><th scope="col">Side</th><th scope="col">Endpoint</th><th scope="col">ASN</th><th scope="col">BGP address</th></tr></thead>
        <tbody>${l.localConfigurations.map((c, i) => html`<tr><th scope="row">Gateway zone ${i + 1}</th><td data-label="Endpoint">${c.endpoint}</td><td data-label="ASN">${c.asn}</td><td data-label="BGP address">${c.bgpAddress}</td></tr>`)}
        <tr><th scope="row">Your router</th><td data-label="Endpoint">${l.peerConfiguration.endpoint}</td><td data-label="ASN">${l.peerConfiguration.asn}</td><td data-label="BGP address">${l.peerConfiguration.bgpAddress}</td></tr></tbody></table>
      <div class="actions"><button type="button" onClick=${() => copy(l)}>Copy</button>
      ${FORMATS.map((f) => html`<button type="button" onClick=${() => dl(l, f)}>Download router configuration (${f[1]})</button>`)}</div>
    </section>`)}
    <details><summary>Raw JSON</summary><pre tabindex="0" aria-label="Raw JSON">${JSON.stringify(cfg, null, 2)}</pre></details>
  </main>`;
}
