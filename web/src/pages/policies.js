// policies.js - Filtering policies: the tenant's web content filtering
// policies and their FQDN and web category rules, and the baseline
// profile's links (which policies act on remote network traffic, in what
// order). Everything through policyApi; the server's message goes to the
// field its target names.
import { useEffect, useState } from "preact/hooks";
import { policyApi } from "../api.js";
import { Banner, Field, html, Select, Text } from "../ui.js";

const NA = "#microsoft.graph.networkaccess.";

// The API's FQDN rule (src/policy/policy_fqdn.c, policy_name.c), its words.
export function vFqdn(f, s) {
  if (!s) return f + " '' must not be empty";
  let h = s.startsWith("*.") ? s.slice(2) : s;
  if (h.includes("*")) return `${f} '${s}' a wildcard is allowed only as a leading "*."`;
  if (/^[0-9.]+$/.test(h)) return `${f} '${s}' is an IP address: an FQDN rule matches host names (use a cloud firewall rule for addresses)`;
  if (h.endsWith(".")) h = h.slice(0, -1);
  if (!h || h.length > 253 || h.split(".").some((l) => !/^[A-Za-z0-9_-]{1,63}$/.test(l)) || /^[0-9.]+$/.test(h))
    return `${f} '${s}' is not a host name (labels of 1-63 letters, digits, '-' or '_', 253 characters at most)`;
  return null;
}
const lines = (s) => s.split(/[\n,]/).map((x) => x.trim()).filter(Boolean);
function vDests(s) {
  const d = lines(s);
  if (!d.length) return "destinations must have at least one entry";
  for (const [i, v] of d.entries()) { const e = vFqdn(`destinations[${i}].value`, v); if (e) return e; }
  return null;
}
// Server targets -> our fields: "destinations[1].value" is the destinations box.
function byField(x, map) {
  const out = {};
  for (const [t, m] of Object.entries(x.fields())) {
    const k = Object.keys(map).find((p) => t === p || t.startsWith(p + "[") || t.startsWith(p + "."));
    if (k && !out[map[k]]) out[map[k]] = m;
  }
  if (!Object.keys(out).length) out._ = x.message;
  return out;
}
const ruleText = (r) => (r.destinations || []).map((d) => d.value || d.displayName || d.name).join(", ");

function RuleForms({ p, cats, reload }) {
  const [fn, setFn] = useState(""); const [fd, setFd] = useState(""); const [fe, setFe] = useState({});
  const [cn, setCn] = useState(""); const [cs, setCs] = useState([]); const [ce, setCe] = useState({});
  const pre = "p" + p.id.slice(0, 8);
  async function addFqdn(e) {
    e.preventDefault();
    const v = vDests(fd);
    if (v || !fn) { setFe({ name: fn ? null : "name must not be empty", dest: v }); return; }
    try {
      await policyApi.addRule(p.id, { "@odata.type": NA + "fqdnFilteringRule", name: fn, ruleType: "fqdn",
        destinations: lines(fd).map((value) => ({ "@odata.type": NA + "fqdn", value })) });
      setFn(""); setFd(""); setFe({}); reload("Rule " + fn + " added to " + p.name + ".");
    } catch (x) { setFe(byField(x, { name: "name", destinations: "dest" })); }
  }
  async function addCat(e) {
    e.preventDefault();
    if (!cn || !cs.length) { setCe({ name: cn ? null : "name must not be empty", dest: cs.length ? null : "destinations must have at least one entry" }); return; }
    try {
      await policyApi.addRule(p.id, { "@odata.type": NA + "webCategoryFilteringRule", name: cn, ruleType: "webCategory",
        destinations: cs.map((name) => ({ "@odata.type": NA + "webCategory", name })) });
      setCn(""); setCs([]); setCe({}); reload("Rule " + cn + " added to " + p.name + ".");
    } catch (x) { setCe(byField(x, { name: "name", destinations: "dest" })); }
  }
  return html`<div class="twocol">
    <form class="panel" onSubmit=${addFqdn} aria-labelledby=${pre + "-fq"}>
      <h4 id=${pre + "-fq"}>Add an FQDN rule</h4>
      <${Text} id=${pre + "-fn"} label="Rule name" value=${fn} onInput=${setFn} error=${fe.name} />
      <${Field} id=${pre + "-fd"} label="Destinations (FQDNs, one per line)" error=${fe.dest}
        hint="contoso.com matches that name only; *.contoso.com every name below it. No other wildcard.">${(a) =>
        html`<textarea ...${a} rows="3" value=${fd} onInput=${(e) => { setFd(e.currentTarget.value); setFe({ ...fe, dest: e.currentTarget.value ? vDests(e.currentTarget.value) : null }); }}></textarea>`}<//>
      ${fe._ ? html`<div class="error" role="alert">${fe._}</div>` : null}
      <button type="submit">Add FQDN rule</button>
    </form>
    <form class="panel" onSubmit=${addCat} aria-labelledby=${pre + "-wc"}>
      <h4 id=${pre + "-wc"}>Add a web category rule</h4>
      <${Text} id=${pre + "-cn"} label="Web category rule name" value=${cn} onInput=${setCn} error=${ce.name} />
      ${cats.length ? html`<fieldset aria-describedby=${ce.dest ? pre + "-cats-err" : undefined}><legend>Web categories</legend><div class="cats">
        ${cats.map((c) => html`<div><input type="checkbox" id=${pre + "-c-" + c.name} checked=${cs.includes(c.name)}
          onChange=${(e) => setCs(e.currentTarget.checked ? cs.concat([c.name]) : cs.filter((x) => x !== c.name))} />
          <label for=${pre + "-c-" + c.name}>${c.displayName || c.name}</label></div>`)}</div></fieldset>
        ${ce.dest ? html`<div class="error" id=${pre + "-cats-err"} role="alert">${ce.dest}</div>` : null}`
        : html`<p class="hint">This gateway has no web category database loaded.</p>`}
      ${ce._ ? html`<div class="error" role="alert">${ce._}</div>` : null}
      <button type="submit" disabled=${!cats.length}>Add web category rule</button>
    </form></div>`;
}

function Links({ base, policies, reload }) {
  const links = (base.policies || []).filter((l) => l["@odata.type"] === NA + "filteringPolicyLink")
    .sort((a, b) => a.priority - b.priority);
  const linked = new Set(links.map((l) => l.policy.id));
  const free = policies.filter((p) => !linked.has(p.id));
  const [pid, setPid] = useState(""); const [prio, setPrio] = useState(""); const [le, setLe] = useState({});
  const [edit, setEdit] = useState({}); const [ee, setEe] = useState({});
  const sel = pid && free.some((p) => p.id === pid) ? pid : (free[0] || {}).id || "";
  async function link(e) {
    e.preventDefault();
    if (!/^\d+$/.test(prio)) { setLe({ prio: "priority must be a JSON integer" }); return; }
    try {
      await policyApi.link(base.id, { "@odata.type": NA + "filteringPolicyLink", priority: Number(prio), state: "enabled", policy: { id: sel } });
      setPrio(""); setLe({}); reload("Policy linked to the baseline profile.");
    } catch (x) { setLe(byField(x, { priority: "prio", policy: "pol", state: "prio" })); }
  }
  async function save(l) {
    const e = edit[l.id] || {};
    const b = {};
    if (e.priority !== undefined) { if (!/^\d+$/.test(e.priority)) { setEe({ ...ee, [l.id]: "priority must be a JSON integer" }); return; } b.priority = Number(e.priority); }
    if (e.state !== undefined) b.state = e.state;
    try { await policyApi.updateLink(base.id, l.id, b); setEdit({ ...edit, [l.id]: undefined }); setEe({ ...ee, [l.id]: null }); reload("Link of " + l.policy.name + " saved."); }
    catch (x) { setEe({ ...ee, [l.id]: x.message }); }
  }
  async function unlink(l) {
    if (!confirm("Unlink the policy '" + l.policy.name + "' from the baseline profile? It stops acting on remote network traffic.")) return;
    try { await policyApi.unlink(base.id, l.id); reload("Policy " + l.policy.name + " unlinked."); } catch (x) { reload(null, x); }
  }
  return html`<section aria-labelledby="links-h"><h2 id="links-h">Baseline profile links</h2>
    <p class="hint">The baseline profile (priority ${base.priority}) applies to all remote network traffic. Its linked policies are evaluated lowest priority first; the first match wins.</p>
    ${links.length ? html`<table class="grid"><caption class="sr">Filtering policies linked to the baseline profile</caption>
      <thead><tr><th scope="col">Policy</th><th scope="col">Action</th><th scope="col">Priority</th><th scope="col">State</th><th scope="col"><span class="sr">Actions</span></th></tr></thead>
      <tbody>${links.map((l) => { const e = edit[l.id] || {}; return html`<tr>
        <td data-label="Policy">${l.policy.name}</td><td data-label="Action">${l.action || l.policy.action}</td>
        <td data-label="Priority"><input class="narrow" aria-label=${"Priority of " + l.policy.name} inputmode="numeric" value=${e.priority ?? String(l.priority)}
          aria-invalid=${ee[l.id] ? "true" : "false"} aria-describedby=${ee[l.id] ? "le-" + l.id : undefined}
          onInput=${(v) => setEdit({ ...edit, [l.id]: { ...e, priority: v.currentTarget.value } })} />
          ${ee[l.id] ? html`<div class="error" id=${"le-" + l.id} role="alert">${ee[l.id]}</div>` : null}</td>
        <td data-label="State"><select aria-label=${"State of " + l.policy.name} value=${e.state ?? l.state}
          onChange=${(v) => setEdit({ ...edit, [l.id]: { ...e, state: v.currentTarget.value } })}>
          <option value="enabled">enabled</option><option value="disabled">disabled</option></select></td>
        <td><div class="rowbtns"><button type="button" onClick=${() => save(l)} aria-label=${"Save link of " + l.policy.name}>Save</button>
          <button type="button" class="danger" onClick=${() => unlink(l)} aria-label=${"Unlink " + l.policy.name}>Unlink</button></div></td></tr>`; })}</tbody></table>`
      : html`<p>No filtering policy is linked: remote network traffic is not filtered.</p>`}
    ${free.length ? html`<form class="inline panel" onSubmit=${link} aria-label="Link a policy">
      <${Field} id="lk-pol" label="Policy to link" error=${le.pol}>${(a) => html`<select ...${a} value=${sel} onChange=${(e) => setPid(e.currentTarget.value)}>
        ${free.map((p) => html`<option value=${p.id}>${p.name}</option>`)}</select>`}<//>
      <${Text} id="lk-prio" label="Link priority" value=${prio} onInput=${setPrio} error=${le.prio} hint="Unique in the profile; lower is evaluated first." />
      ${le._ ? html`<div class="error" role="alert">${le._}</div>` : null}
      <button type="submit">Link policy</button></form>` : null}
  </section>`;
}

export function Policies() {
  const [list, setList] = useState(null);
  const [base, setBase] = useState(null);
  const [cats, setCats] = useState([]);
  const [err, setErr] = useState(null);
  const [msg, setMsg] = useState("");
  const [open, setOpen] = useState(null);
  const [name, setName] = useState(""); const [action, setAction] = useState("block"); const [ne, setNe] = useState({});
  async function load(m, x) {
    if (m) setMsg(m);
    try {
      const [l, b] = await Promise.all([policyApi.listPolicies(), policyApi.baseline()]);
      setList(l); setBase(b); setErr(x || null);
    } catch (y) { setErr(y); }
  }
  useEffect(() => { load(); policyApi.webCategories().then(setCats, () => setCats([])); }, []);
  async function create(e) {
    e.preventDefault();
    if (!name) { setNe({ name: "name must not be empty" }); return; }
    try { const p = await policyApi.createPolicy(name, action); setName(""); setNe({}); setOpen(p.id); load("Filtering policy " + p.name + " created."); }
    catch (x) { setNe(byField(x, { name: "name", action: "action" })); }
  }
  async function del(p) {
    if (!confirm("Delete the filtering policy '" + p.name + "' and its " + (p.policyRules || []).length + " rules?")) return;
    try { await policyApi.deletePolicy(p.id); load("Filtering policy " + p.name + " deleted."); } catch (x) { setErr(x); }
  }
  async function delRule(p, r) {
    if (!confirm("Delete the rule '" + r.name + "' of '" + p.name + "'?")) return;
    try { await policyApi.deleteRule(p.id, r.id); load("Rule " + r.name + " deleted."); } catch (x) { setErr(x); }
  }
  const prio = {};
  for (const l of (base && base.policies) || []) if (l.policy) prio[l.policy.id] = l;
  return html`<main id="main">
    <h1>Filtering policies</h1>
    <${Banner} error=${err} />
    <p role="status" class="ok-msg">${msg}</p>
    <form class="inline panel" onSubmit=${create} aria-label="Create a filtering policy">
      <${Text} id="np-name" label="Policy name" value=${name} onInput=${(v) => { setName(v); setNe({}); }} error=${ne.name} />
      <${Select} id="np-action" label="Policy action" value=${action} options=${["block", "allow"]} onChange=${setAction} error=${ne.action} />
      ${ne._ ? html`<div class="error" role="alert">${ne._}</div>` : null}
      <button type="submit" class="primary">Create policy</button>
    </form>
    ${list === null ? html`<p>Loading…</p>` : list.length === 0 ? html`<p>No filtering policies yet.</p>` : html`
    <table class="grid"><caption class="sr">Filtering policies of this tenant</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Action</th><th scope="col">Rules</th><th scope="col">Baseline link</th><th scope="col"><span class="sr">Actions</span></th></tr></thead>
      <tbody>${list.map((p) => html`<tr>
        <td data-label="Name">${p.name}</td><td data-label="Action"><span class=${"act " + p.action}>${p.action}</span></td>
        <td data-label="Rules">${(p.policyRules || []).length}</td>
        <td data-label="Baseline link">${prio[p.id] ? "priority " + prio[p.id].priority + ", " + prio[p.id].state : "Not linked"}</td>
        <td><div class="rowbtns"><button type="button" aria-expanded=${open === p.id ? "true" : "false"} aria-controls="rules-panel" onClick=${() => setOpen(open === p.id ? null : p.id)}>${"Rules of " + p.name}</button>
          <button type="button" class="danger" onClick=${() => del(p)} aria-label=${"Delete " + p.name}>Delete</button></div></td></tr>`)}</tbody></table>`}
    ${(list || []).filter((p) => p.id === open).map((p) => html`<section id="rules-panel" aria-labelledby="rules-h"><h2 id="rules-h">Rules of ${p.name}</h2>
      ${(p.policyRules || []).length ? html`<table class="grid"><caption class="sr">Rules of ${p.name}</caption>
        <thead><tr><th scope="col">Rule</th><th scope="col">Type</th><th scope="col">Destinations</th><th scope="col"><span class="sr">Actions</span></th></tr></thead>
        <tbody>${p.policyRules.map((r) => html`<tr><td data-label="Rule">${r.name}</td><td data-label="Type">${r.ruleType === "fqdn" ? "FQDN" : "Web category"}</td>
          <td data-label="Destinations" class="wrap">${ruleText(r)}</td>
          <td><button type="button" class="danger" onClick=${() => delRule(p, r)} aria-label=${"Delete rule " + r.name}>Delete</button></td></tr>`)}</tbody></table>`
        : html`<p>No rules yet: the policy matches nothing.</p>`}
      <${RuleForms} p=${p} cats=${cats} reload=${load} /></section>`)}
    ${base ? html`<${Links} base=${base} policies=${list || []} reload=${load} />` : null}
  </main>`;
}
