// ui.js - htm bound to Preact, and the few form pieces every page uses.
import { h } from "preact";
import htm from "htm";
export const html = htm.bind(h);

let seq = 0;
export const uid = (p) => p + "-" + (++seq);

// A labelled field; its error (client rule or server message) sits under it
// and is tied to it with aria-describedby.
export function Field({ id, label, error, hint, children }) {
  const eid = id + "-err";
  return html`<div class="field">
    <label for=${id}>${label}</label>
    ${children({ id, "aria-invalid": error ? "true" : "false", "aria-describedby": error ? eid : undefined })}
    ${hint && !error ? html`<div class="hint">${hint}</div>` : null}
    ${error ? html`<div class="error" id=${eid} role="alert">${error}</div>` : null}
  </div>`;
}

export function Text({ id, label, value, onInput, error, type = "text", hint, autocomplete = "off" }) {
  return html`<${Field} id=${id} label=${label} error=${error} hint=${hint}>${(a) =>
    html`<input ...${a} type=${type} value=${value} autocomplete=${autocomplete} onInput=${(e) => onInput(e.currentTarget.value)} />`}<//>`;
}

export function Select({ id, label, value, options, onChange, error }) {
  return html`<${Field} id=${id} label=${label} error=${error}>${(a) =>
    html`<select ...${a} value=${value} onChange=${(e) => onChange(e.currentTarget.value)}>
      ${options.map((o) => html`<option value=${o}>${o}</option>`)}
    </select>`}<//>`;
}

export function Banner({ error }) {
  if (!error) return null;
  return html`<div class="banner" role="alert">${error.message || String(error)}</div>`;
}

export function fmtBytes(n) {
  if (n == null) return "–";
  const u = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : n) + " " + u[i];
}

export function age(iso) {
  if (!iso) return "–";
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 120) return s + " s";
  if (s < 7200) return Math.round(s / 60) + " min";
  return Math.round(s / 3600) + " h";
}
