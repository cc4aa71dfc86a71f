// main.js - the shell: sign-in state, the navigation, and the hash router.
// Pages slot in through ROUTES and NAV.
import "uplot/dist/uPlot.min.css";
import "./style.css";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, setUnauthorizedHandler, token } from "./api.js";
import { html } from "./ui.js";
import { SignIn } from "./pages/signin.js";
import { Networks } from "./pages/networks.js";
import { Network } from "./pages/network.js";
import { Wizard } from "./pages/wizard.js";
import { Config } from "./pages/config.js";
import { Link } from "./pages/link.js";
import { Logs } from "./pages/logs.js";
import { Policies } from "./pages/policies.js";
import { Firewall } from "./pages/firewall.js";
import { Traffic } from "./pages/traffic.js";

const NAV = [
  { href: "#/networks", label: "Remote networks", match: /^#\/(networks|create)/ },
  { href: "#/logs", label: "Health logs", match: /^#\/logs/ },
  { href: "#/traffic", label: "Traffic logs", match: /^#\/traffic/ },
  { href: "#/policies", label: "Filtering policies", match: /^#\/policies/ },
  { href: "#/firewall", label: "Cloud firewall", match: /^#\/firewall/ },
];

const ROUTES = [
  [/^#\/create$/, (m, go) => html`<${Wizard} go=${go} />`],
  [/^#\/networks\/([^/]+)\/configuration$/, (m) => html`<${Config} id=${m[1]} />`],
  [/^#\/networks\/([^/]+)\/links\/([^/]+)$/, (m) => html`<${Link} id=${m[1]} lid=${m[2]} />`],
  [/^#\/networks\/([^/]+)$/, (m, go) => html`<${Network} id=${m[1]} go=${go} />`],
  [/^#\/logs$/, () => html`<${Logs} />`],
  [/^#\/traffic$/, () => html`<${Traffic} />`],
  [/^#\/policies$/, () => html`<${Policies} />`],
  [/^#\/firewall$/, () => html`<${Firewall} />`],
  [/^#\/networks$/, (m, go) => html`<${Networks} go=${go} />`],
];

// /#token=TOKEN signs in; the fragment never reaches the server, and it is
// dropped from the address bar and the history at once.
function takeFragmentToken() {
  const m = /^#token=([^&]+)/.exec(location.hash);
  if (!m) return null;
  history.replaceState(null, "", location.pathname + location.search + "#/networks");
  return decodeURIComponent(m[1]);
}

function App() {
  const [signedIn, setSignedIn] = useState(!!token.get());
  const [hash, setHash] = useState(location.hash || "#/networks");
  const [msg, setMsg] = useState("");
  const go = (h) => { location.hash = h; };
  useEffect(() => {
    const f = () => setHash(location.hash || "#/networks");
    addEventListener("hashchange", f);
    setUnauthorizedHandler((e) => { token.clear(); setSignedIn(false); setMsg("Signed out: " + e.message); });
    const t = takeFragmentToken();
    if (t) {
      api.check(t).then(() => { token.set(t); setSignedIn(true); setHash("#/networks"); },
        (e) => { token.clear(); setSignedIn(false); setMsg(e.status === 401 ? "That token was refused: " + e.message + "." : e.message); });
    }
    return () => removeEventListener("hashchange", f);
  }, []);
  useEffect(() => { const h = document.querySelector("main h1"); if (h) { h.tabIndex = -1; h.focus({ preventScroll: true }); } }, [hash, signedIn]);
  if (!signedIn) return html`<${Header} /><${SignIn} message=${msg} onSignedIn=${() => { setMsg(""); setSignedIn(true); }} />`;
  let page = null;
  for (const [re, f] of ROUTES) { const m = re.exec(hash); if (m) { page = f(m, go); break; } }
  if (!page) page = html`<main id="main"><h1>Not found</h1><p><a href="#/networks">Remote networks</a></p></main>`;
  return html`<a class="skip" href="#main">Skip to content</a>
    <${Header} nav=${true} hash=${hash} onSignOut=${() => { token.clear(); setSignedIn(false); setMsg("Signed out."); }} />
    ${page}`;
}

function Header({ nav, hash, onSignOut }) {
  return html`<header class="top"><span class="brand">branchgate admin center</span>
    ${nav ? html`<nav aria-label="Main"><ul>${NAV.map((n) => html`<li><a href=${n.href} aria-current=${n.match.test(hash) ? "page" : undefined}>${n.label}</a></li>`)}</ul></nav>
    <button type="button" class="signout" onClick=${onSignOut}>Sign out</button>` : null}</header>`;
}

render(html`<${App} />`, document.getElementById("app"));
