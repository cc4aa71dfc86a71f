// signin.js - the tenant token, checked against the API before it is kept.
import { useState } from "preact/hooks";
import { api, token } from "../api.js";
import { html } from "../ui.js";

export function SignIn({ onSignedIn, message }) {
  const [t, setT] = useState("");
  const [own, setErr] = useState("");
  const err = own || message || "";
  const [busy, setBusy] = useState(false);
  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    try {
      await api.check(t.trim());
      token.set(t.trim());
      onSignedIn();
    } catch (x) {
      setErr(x.status === 401 ? "That token was refused: " + x.message + ". Check the token printed by 'branchgate tenant create'." : "Cannot reach the gateway: " + x.message);
    } finally { setBusy(false); }
  }
  return html`<main class="signin" id="main">
    <h1>Sign in to the branchgate admin center</h1>
    <form onSubmit=${submit} aria-describedby=${err ? "signin-err" : undefined}>
      <label for="token">Tenant token</label>
      <input id="token" type="password" autocomplete="off" value=${t} onInput=${(e) => setT(e.currentTarget.value)} required />
      <p class="hint">The bearer token printed by <code>branchgate tenant create</code>. It stays in this browser tab only.</p>
      ${err ? html`<div id="signin-err" class="error" role="alert">${err}</div>` : null}
      <button type="submit" class="primary" disabled=${busy || !t.trim()}>Sign in</button>
    </form>
  </main>`;
}
