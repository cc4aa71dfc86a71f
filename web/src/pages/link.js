// link.js - one device link: suites, SAs and their ages, counters with a
// throughput chart (uPlot, the samples this page has seen), BGP state and
// routes (GET .../routes: received with their fate, and advertised), and
// the last errors in plain words.
import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import { api } from "../api.js";
import { age, Banner, fmtBytes, html } from "../ui.js";
import { linkState } from "./networks.js";

const REFRESH_MS = 3000;
const KEEP = 100;	// 5 minutes of samples

function Chart({ samples }) {
  const el = useRef(null), plot = useRef(null);
  useEffect(() => {
    const w = Math.min(640, (el.current.clientWidth || 320));
    plot.current = new uPlot({ width: w, height: 160, title: "Throughput (bytes/s)",
      series: [{}, { label: "In", stroke: "#0b6a0b" }, { label: "Out", stroke: "#0063b1" }],
      axes: [{}, { size: 60 }] }, [[], [], []], el.current);
    // Follow the page's width (a phone turned, a window resized).
    const ro = new ResizeObserver(() => {
      const cw = Math.min(640, el.current.clientWidth || 320);
      if (cw !== plot.current.width) plot.current.setSize({ width: cw, height: 160 });
    });
    ro.observe(el.current);
    return () => { ro.disconnect(); plot.current.destroy(); };
  }, []);
  useEffect(() => {
    const t = [], i = [], o = [];
    for (let k = 1; k < samples.length; k++) {
      const a = samples[k - 1], b = samples[k], dt = Math.max(1, b.t - a.t);
      t.push(b.t); i.push(Math.max(0, (b.in - a.in) / dt)); o.push(Math.max(0, (b.out - a.out) / dt));
    }
    plot.current.setData([t, i, o]);
  }, [samples]);
  // A rate needs two readings: say so rather than show an empty frame.
  return html`<div ref=${el} class="chart" role="img" aria-label="Throughput chart of the last minutes"></div>
    ${samples.length < 2 ? html`<p class="hint">Throughput appears after the next refresh (every ${REFRESH_MS / 1000} s).</p>` : null}`;
}

function Bgp({ b, title, routes }) {
  if (!b) return html`<p>${title}: no BGP session (the gateway runs without its data plane).</p>`;
  const reasons = Object.entries(b.rejectReasons || {}).map(([k, n]) => k + " " + n).join(", ");
  const mine = (routes || []).filter((r) => r.direction === "received");
  const ours = (routes || []).filter((r) => r.direction === "advertised");
  return html`<div><h3>${title}</h3><dl class="review">
    <dt>State</dt><dd>${b.state}</dd><dt>Addresses</dt><dd>${b.localAddress} ↔ ${b.peerAddress} (ASN ${b.peerAsn})</dd>
    <dt>Established</dt><dd>${b.establishedDateTime ? age(b.establishedDateTime) + " ago" : "–"}</dd>
    <dt>Routes received</dt><dd>${b.receivedPrefixes}</dd>
    <dt>Routes installed</dt><dd>${b.learnedPrefixes}</dd>
    <dt>Routes refused</dt><dd>${b.rejectedPrefixes}${reasons ? " (" + reasons + ")" : ""}</dd>
    <dt>Routes advertised</dt><dd>${b.advertisedPrefixes}</dd>
    ${b.bfd ? html`<dt>BFD</dt><dd>${b.bfd.state} (detection ${b.bfd.detectionTimeMs} ms)</dd>` : null}
    <dt>Last error</dt><dd>${b.lastError || "None"}</dd></dl>
    ${routes ? html`
    <table class="grid"><caption>${title}: routes from the branch</caption>
      <thead><tr><th scope="col">Prefix</th><th scope="col">Next hop</th><th scope="col">AS path length</th><th scope="col">State</th></tr></thead>
      <tbody>${mine.length ? mine.map((r) => html`<tr><td data-label="Prefix">${r.prefix}</td><td data-label="Next hop">${r.nextHop}</td><td data-label="AS path length">${r.asPathLength}</td>
        <td data-label="State">${r.state}${r.reason ? " (" + r.reason + ")" : ""}</td></tr>`) : html`<tr><td colspan="4">None</td></tr>`}</tbody></table>
    <table class="grid"><caption>${title}: routes the gateway advertises</caption>
      <thead><tr><th scope="col">Prefix</th></tr></thead>
      <tbody>${ours.length ? ours.map((r) => html`<tr><td data-label="Prefix">${r.prefix}</td></tr>`) : html`<tr><td>None</td></tr>`}</tbody></table>` : null}
  </div>`;
}

export function Link({ id, lid }) {
  const [rn, setRn] = useState(null);
  const [st, setSt] = useState(null);
  const [err, setErr] = useState(null);
  const [samples, setSamples] = useState([]);
  const [routes, setRoutes] = useState(null);
  useEffect(() => {
    let live = true, timer;
    api.getNetwork(id).then(setRn, setErr);
    async function poll() {
      try {
        const s = await api.linkStatus(id, lid);
        if (!live) return;
        const rt = await api.linkRoutes(id, lid).catch(() => null);
        if (!live) return;
        setSt(s); setErr(null); setRoutes(rt);
        setSamples((p) => p.concat([{ t: Date.now() / 1000, in: s.esp.inboundBytes, out: s.esp.outboundBytes }]).slice(-KEEP));
      } catch (x) { if (live) setErr(x); }
      if (live) timer = setTimeout(poll, REFRESH_MS);
    }
    poll();
    return () => { live = false; clearTimeout(timer); };
  }, [id, lid]);
  const dl = rn && (rn.deviceLinks || []).find((l) => l.id === lid);
  const s = linkState(st);
  return html`<main id="main">
    <nav aria-label="Breadcrumb" class="crumbs"><a href="#/networks">Remote networks</a> › ${rn ? html`<a href=${"#/networks/" + id}>${rn.name}</a>` : "…"} › ${dl ? dl.name : "Link"}</nav>
    <h1>Link ${dl ? dl.name : ""}</h1>
    <${Banner} error=${err} />
    ${st ? html`
    <p>Connectivity: <span class=${"state " + s.cls}>${s.text}</span></p>
    ${st.health && st.health.reason !== "ok" ? html`<p class="why"><strong>Why:</strong> ${st.health.reason}: ${st.health.detail}</p>` : null}
    <section><h2>Tunnels</h2><table class="grid"><caption class="sr">Tunnels per gateway zone</caption>
      <thead><tr><th scope="col">Zone</th><th scope="col">State</th><th scope="col">IKE suite</th><th scope="col">ESP suite</th><th scope="col">SAs</th><th scope="col">Age</th></tr></thead>
      <tbody>${(st.tunnels || []).map((t) => html`<tr><td data-label="Zone">${t.zone}</td><td data-label="State">${t.tunnelState}</td><td data-label="IKE suite">${t.ikeSuite || "–"}</td><td data-label="ESP suite">${t.espSuite || "–"}</td><td data-label="SAs">${t.childSecurityAssociations}</td><td data-label="Age">${age(t.establishedDateTime)}</td></tr>`)}</tbody></table></section>
    <section><h2>Traffic</h2>
      <p>In: ${fmtBytes(st.esp.inboundBytes)} (${st.esp.inboundPackets} packets) · Out: ${fmtBytes(st.esp.outboundBytes)} (${st.esp.outboundPackets} packets)</p>
      <p>Dropped: ${st.esp.replayDrops} replayed, ${st.esp.authenticationFailures} failed authentication, ${st.esp.malformedDrops} malformed, ${st.esp.spoofedSourceDrops} with a source not of this link</p>
      <${Chart} samples=${samples} /></section>
    <section><h2>BGP</h2><${Bgp} b=${st.bgp} title="Zone 1" routes=${routes && routes.filter((r) => r.zone === 1)} />${st.zoneRedundancyBgp ? html`<${Bgp} b=${st.zoneRedundancyBgp} title="Zone 2" routes=${routes && routes.filter((r) => r.zone === 2)} />` : null}</section>` : html`<p>Loading…</p>`}
  </main>`;
}
