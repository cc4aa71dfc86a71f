// console.spec.mjs - the web console in a real browser against a real
// branchgated: sign-in, the create wizard, validation (client and server),
// View configuration, router configuration download, delete, tenant
// isolation, serving headers, accessibility (axe) and screenshots.
import { test, expect } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { connect } from "node:net";
import { RN, startGateway } from "./gateway.mjs";

const BIN = process.env.BG_BINDIR || join(import.meta.dirname, "..", "..", "build");
const SHOTS = join(BIN, "console-screenshots");
const CUSTOM = "#microsoft.graph.networkaccess.tunnelConfigurationIKEv2Custom";

test.describe.configure({ mode: "serial" });

let gw, t1, t2;
const state = {};

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  gw = await startGateway(["Contoso", "Fabrikam"]);
  [t1, t2] = gw.tenants.map((t) => t.token);
});
test.afterAll(async () => { if (gw) await gw.stop(); });

// The request line exactly as given: fetch() would resolve "..".
function rawGet(base, path) {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const s = connect(Number(u.port), u.hostname, () =>
      s.write(`GET ${path} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: close\r\n\r\n`));
    let buf = "";
    s.on("data", (d) => { buf += d; });
    s.on("end", () => {
      const head = buf.split("\r\n\r\n")[0].split("\r\n");
      const hdr = Object.fromEntries(head.slice(1).map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
      resolve({ status: Number(head[0].split(" ")[1]), headers: hdr, body: buf.slice(buf.indexOf("\r\n\r\n") + 4) });
    });
    s.on("error", reject);
  });
}

async function shots(page, name) {
  for (const [w, h] of [[1280, 800], [390, 844]]) {
    await page.setViewportSize({ width: w, height: h });
    await page.waitForTimeout(100);	// layout after resize, not an assertion
    await page.screenshot({ path: join(SHOTS, `${name}-${w}x${h}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

async function axe(page, what) {
  const r = await new AxeBuilder({ page }).analyze();
  const bad = r.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad.map((v) => `${what}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

async function signIn(page, token) {
  await page.goto(gw.base + "/#token=" + encodeURIComponent(token));
  await expect(page.getByRole("heading", { name: "Remote networks", level: 1 })).toBeVisible();
  expect(page.url()).not.toContain(token);
}

test("served with the right headers; the API keeps no-store; no traversal", async () => {
  const idx = await fetch(gw.base + "/");
  expect(idx.status).toBe(200);
  expect(idx.headers.get("content-type")).toBe("text/html; charset=utf-8");
  expect(idx.headers.get("cache-control")).toBe("no-cache");
  const csp = idx.headers.get("content-security-policy");
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain("unsafe-inline");
  expect(idx.headers.get("x-content-type-options")).toBe("nosniff");
  const body = await idx.text();
  expect(body).not.toMatch(/<script>|<script(?![^>]*\bsrc=)[^>]*>|style=/);
  const etag = idx.headers.get("etag");
  expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
  expect((await fetch(gw.base + "/", { headers: { "If-None-Match": etag } })).status).toBe(304);
  const js = /src="(assets\/[^"]+\.js)"/.exec(body)[1];
  const a = await fetch(gw.base + "/" + js);
  expect(a.status).toBe(200);
  expect(a.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
  expect(a.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  for (const p of ["/assets/../index.html", "/assets/%2e%2e/index.html", "/assets/..%2findex.html",
    "/../etc/passwd", "/assets/.hidden", "/web/index.html", "/assets/"]) {
    const r = await rawGet(gw.base, p);
    expect(r.status, p).toBeGreaterThanOrEqual(400);
    expect(r.headers["content-type"], p).toContain("application/json");
    expect(r.body, p).not.toContain("<html");
  }
  const api = await gw.api(t1, "GET", RN);
  expect(api.status).toBe(200);
  expect(api.headers.get("cache-control")).toBe("no-store");
  expect(api.headers.get("x-content-type-options")).toBe("nosniff");
  // CORS stays closed: no Access-Control-* on a cross-origin request.
  const c = await fetch(gw.base + RN, { headers: { Origin: "http://198.51.100.1", Authorization: "Bearer " + t1 } });
  expect([...c.headers.keys()].filter((k) => k.startsWith("access-control"))).toEqual([]);
});

test("sign in: a bad token is refused, a good one signs in", async ({ page }) => {
  await page.goto(gw.base + "/");
  await expect(page.getByRole("heading", { name: "Sign in to the branchgate admin center" })).toBeVisible();
  await axe(page, "sign-in");
  await shots(page, "signin");
  await page.getByLabel("Tenant token").fill("bgt_notatoken");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("That token was refused: invalid bearer token");
  expect(await page.evaluate(() => sessionStorage.getItem("branchgate.token"))).toBeNull();
  await page.getByLabel("Tenant token").fill(t1);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Remote networks", level: 1 })).toBeVisible();
  expect(await page.evaluate(() => sessionStorage.getItem("branchgate.token"))).toBe(t1);
  // The fragment form: signs in, then the token leaves the address bar.
  const p2 = await page.context().newPage();
  await signIn(p2, t1);
  expect(new URL(p2.url()).hash).toBe("#/networks");
  // A bad fragment token is refused with the same words.
  const p3 = await page.context().browser().newPage();
  await p3.goto(gw.base + "/#token=bgt_bogus");
  await expect(p3.getByRole("alert")).toContainText("That token was refused");
  expect(p3.url()).not.toContain("bgt_bogus");
  await p3.close();
});

async function fillLink(page, l) {
  await page.getByLabel("Link name").fill(l.name);
  await page.getByLabel("Device type").selectOption(l.vendor);
  await page.getByLabel("IP address (the router's public address)").fill(l.ip);
  await page.getByLabel("Local BGP address (the gateway's)").fill(l.local);
  await page.getByLabel("Peer BGP address (the router's)").fill(l.peer);
  await page.getByLabel("Link ASN").fill(String(l.asn));
  await page.getByLabel("Redundancy").selectOption("zoneRedundancy");
  await page.getByLabel("Zone redundancy local BGP address").fill(l.zlocal);
  await page.getByLabel("Bandwidth capacity").selectOption(l.bw);
}

test("create wizard: zone-redundant custom-policy link, validation, one create", async ({ page }) => {
  await signIn(page, t1);
  await axe(page, "remote networks (empty)");
  await page.getByRole("button", { name: "Create remote network" }).click();
  await expect(page.getByRole("heading", { name: "Create remote network", level: 1 })).toBeVisible();
  await page.getByLabel("Name").fill("Oslo branch");
  await page.getByLabel("Region").selectOption("northEurope");
  await axe(page, "wizard basics");
  await shots(page, "wizard-basics");
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Add a link" }).click();
  const l = { name: "Oslo link 1", vendor: "fortinet", ip: "198.51.100.30", local: "10.20.1.1",
    peer: "10.20.9.9", asn: 65476, zlocal: "10.20.1.2", bw: "mbps750" };
  await fillLink(page, l);
  // Client side: the reserved ASN is refused as it is typed, in the API's words.
  const asnErr = page.locator("#l-asn-err");
  await expect(asnErr).toHaveText("asn 65476 is reserved: it is the Global Secure Access gateway ASN");
  await expect(page.getByLabel("Link ASN")).toHaveAttribute("aria-invalid", "true");
  await page.getByLabel("Link ASN").fill("65020");
  await expect(asnErr).toHaveCount(0);
  await axe(page, "add a link general");
  await shots(page, "wizard-addlink-general");
  await page.getByRole("tab", { name: "Details" }).click();
  await page.getByLabel("Custom").check();
  await page.getByLabel("Encryption (Phase 1)").selectOption("aes256");
  await page.getByLabel("Integrity (Phase 1)").selectOption("sha384");
  await page.getByLabel("DH group").selectOption("ecp256");
  await page.getByLabel("IPsec encryption (Phase 2)").selectOption("gcmAes128");
  await page.getByLabel("IPsec integrity (Phase 2)").selectOption("sha256");
  // Client side: a bad Phase-2 pair.
  await expect(page.locator("#c-ipint-err")).toContainText("ipSecEncryption 'gcmAes128' with ipSecIntegrity 'sha256' is not an allowed Phase 2 pair");
  await page.getByLabel("IPsec integrity (Phase 2)").selectOption("gcmAes128");
  await expect(page.locator("#c-ipint-err")).toHaveCount(0);
  await page.getByLabel("PFS group").selectOption("ecp384");
  await page.getByLabel("SA lifetime (seconds)").fill("299");
  await expect(page.locator("#c-life-err")).toContainText("must be 300 to 172800 seconds");
  await page.getByLabel("SA lifetime (seconds)").fill("7200");
  await axe(page, "add a link details");
  await shots(page, "wizard-addlink-details");
  await page.getByRole("tab", { name: "Security" }).click();
  await page.getByLabel("Pre-shared key (PSK)").fill("short");
  await expect(page.locator("#l-psk-err")).toContainText("preSharedKey must be 8 to 256 printable characters (got 5)");
  await page.getByLabel("Pre-shared key (PSK)").fill("Oslo-zone1-Key-4711");
  await page.getByLabel("Zone redundancy pre-shared key").fill("Oslo-zone2-Key-0815");
  await shots(page, "wizard-addlink-security");
  await page.getByRole("button", { name: "Add link" }).click();
  await expect(page.getByRole("cell", { name: "Oslo link 1" })).toBeVisible();
  await page.getByRole("button", { name: "Next" }).click();
  const profs = (await gw.api(t1, "GET", "/networkAccess/forwardingProfiles")).json.value;
  const m365 = profs.find((p) => p.trafficForwardingType === "m365");
  await page.getByLabel(m365.name).check();
  await axe(page, "wizard traffic profiles");
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByText("Oslo link 1 (198.51.100.30, ASN 65020, zoneRedundancy, custom policy)")).toBeVisible();
  await axe(page, "wizard review");
  await shots(page, "wizard-review");

  // Server side: what the browser sends is changed on the way, past the
  // client's rules; the console shows the server's own message at the field.
  for (const [mut, field, input] of [
    [(b) => { b.deviceLinks[0].bgpConfiguration.asn = 23456; }, "#l-asn-err", "Link ASN"],
    [(b) => { b.deviceLinks[0].tunnelConfiguration.ipSecIntegrity = "sha256"; }, "#c-ipint-err", "IPsec integrity (Phase 2)"],
  ]) {
    await page.route("**" + RN, async (route) => {
      const b = JSON.parse(route.request().postData());
      mut(b);
      await route.continue({ postData: JSON.stringify(b) });
    });
    const resp = page.waitForResponse((r) => r.url().endsWith(RN) && r.request().method() === "POST");
    await page.getByRole("button", { name: "Create remote network" }).click();
    const r = await resp;
    expect(r.status()).toBe(400);
    const e = (await r.json()).error;
    const d = (e.details && e.details.length ? e.details : [e])[0];
    if (field === "#c-ipint-err") await page.getByRole("tab", { name: "Details" }).click();
    await expect(page.locator(field)).toHaveText(d.message);
    await expect(page.getByLabel(input)).toHaveAttribute("aria-invalid", "true");
    await page.unroute("**" + RN);
    if (field === "#l-asn-err") await shots(page, "wizard-server-error");
    await page.getByRole("button", { name: "Add link" }).click();
    for (let i = 0; i < 2; i++) await page.getByRole("button", { name: "Next" }).click();
  }
  // Nothing was created by the refused calls: all or nothing.
  expect((await gw.api(t1, "GET", RN)).json.value).toEqual([]);

  await page.getByRole("button", { name: "Create remote network" }).click();
  await expect(page.getByRole("heading", { name: "Oslo branch", level: 1 })).toBeVisible();
  const list = (await gw.api(t1, "GET", RN + "?$expand=deviceLinks,forwardingProfiles")).json.value;
  expect(list.length).toBe(1);
  const rn = list[0];
  state.rn = rn;
  expect(rn.name).toBe("Oslo branch");
  expect(rn.region).toBe("northEurope");
  expect(rn.forwardingProfiles.map((p) => p.id)).toEqual([m365.id]);
  expect(rn.deviceLinks.length).toBe(1);
  const dl = rn.deviceLinks[0];
  expect(dl).toMatchObject({ name: l.name, ipAddress: l.ip, deviceVendor: l.vendor, bandwidthCapacityInMbps: l.bw,
    bgpConfiguration: { localIpAddress: l.local, peerIpAddress: l.peer, asn: 65020 },
    redundancyConfiguration: { redundancyTier: "zoneRedundancy", zoneLocalIpAddress: l.zlocal },
    tunnelConfiguration: { "@odata.type": CUSTOM, ikeEncryption: "aes256", ikeIntegrity: "sha384", dhGroup: "ecp256",
      ipSecEncryption: "gcmAes128", ipSecIntegrity: "gcmAes128", pfsGroup: "ecp384", saLifeTimeSeconds: 7200,
      preSharedKey: null, zoneRedundancyPreSharedKey: null } });
  // The keys were taken as typed: the swanctl configuration carries them.
  const sw = await gw.api(t1, "GET", `${RN}/${rn.id}/deviceLinks/${dl.id}/cpeConfiguration?format=swanctl`);
  expect(sw.text).toContain("Oslo-zone1-Key-4711");
  expect(sw.text).toContain("Oslo-zone2-Key-0815");
  await axe(page, "remote network");
  await shots(page, "network");
});

test("remote networks list shows links, profiles and the typed state", async ({ page }) => {
  await signIn(page, t1);
  const row = page.getByRole("row", { name: /Oslo branch/ });
  await expect(row).toContainText("northEurope");
  await expect(row).toContainText("Microsoft 365");
  const st = (await gw.api(t1, "GET", `${RN}/${state.rn.id}/deviceLinks/${state.rn.deviceLinks[0].id}/status`)).json;
  await expect(row).toContainText("Oslo link 1: Disconnected");
  await expect(row).toContainText(`(${st.health.reason}) ${st.health.detail}`);
  await axe(page, "remote networks");
  await shots(page, "networks");
});

test("View configuration matches connectivityConfiguration; swanctl download is the API's", async ({ page }) => {
  await signIn(page, t1);
  await page.goto(gw.base + "/#/networks/" + state.rn.id + "/configuration");
  await expect(page.getByRole("heading", { name: "View configuration: Oslo branch" })).toBeVisible();
  const cc = (await gw.api(t1, "GET", `${RN}/${state.rn.id}/connectivityConfiguration`)).json;
  expect(cc.links.length).toBe(1);
  const L = cc.links[0];
  expect(L.localConfigurations.length).toBe(2);
  const sec = page.getByRole("region", { name: "Link " + L.displayName });
  for (const [i, c] of L.localConfigurations.entries()) {
    const r = sec.getByRole("row", { name: new RegExp("^Gateway zone " + (i + 1)) });
    await expect(r.getByRole("cell")).toHaveText([c.endpoint, String(c.asn), c.bgpAddress]);
  }
  await expect(sec.getByRole("row", { name: /^Your router/ }).getByRole("cell")).toHaveText(
    [L.peerConfiguration.endpoint, String(L.peerConfiguration.asn), L.peerConfiguration.bgpAddress]);
  await page.getByText("Raw JSON").click();
  expect(JSON.parse(await page.getByLabel("Raw JSON").textContent())).toEqual(cc);
  await axe(page, "view configuration");
  await shots(page, "configuration");
  const dlp = page.waitForEvent("download");
  await sec.getByRole("button", { name: "Download router configuration (strongSwan (swanctl.conf))" }).click();
  const d = await dlp;
  const got = readFileSync(await d.path(), "utf8");
  const want = (await gw.api(t1, "GET", `${RN}/${state.rn.id}/deviceLinks/${L.id}/cpeConfiguration?format=swanctl`)).text;
  expect(got).toBe(want);
  expect(d.suggestedFilename()).toBe("Oslo_link_1-swanctl.conf");
});

test("link detail and health logs pages", async ({ page }) => {
  await signIn(page, t1);
  const dl = state.rn.deviceLinks[0];
  await page.goto(gw.base + `/#/networks/${state.rn.id}/links/${dl.id}`);
  await expect(page.getByRole("heading", { name: "Link Oslo link 1" })).toBeVisible();
  await expect(page.getByText(/^Why:/)).toBeVisible();
  await expect(page.getByRole("img", { name: "Throughput chart of the last minutes" })).toBeVisible();
  await axe(page, "link detail");
  await shots(page, "link");
  await page.getByRole("link", { name: "Health logs" }).click();
  await expect(page.getByRole("heading", { name: "Health logs", level: 1 })).toBeVisible();
  await expect(page.getByRole("status")).toHaveText("0 events");
  await page.getByLabel("Status").selectOption("bgpConnected");
  await expect(page.getByText("No events match.")).toBeVisible();
  await axe(page, "health logs");
  await shots(page, "logs");
});

test("edits: rename, a new pre-shared key, the IKE policy", async ({ page }) => {
  await signIn(page, t1);
  await page.goto(gw.base + "/#/networks/" + state.rn.id);
  await page.getByLabel("Name", { exact: true }).fill("Oslo office");
  await page.getByRole("button", { name: "Save name" }).click();
  await expect(page.getByRole("heading", { name: "Oslo office", level: 1 })).toBeVisible();
  expect((await gw.api(t1, "GET", RN + "/" + state.rn.id)).json.name).toBe("Oslo office");
  const dl = state.rn.deviceLinks[0];
  await page.getByLabel("New pre-shared key for Oslo link 1").fill("Oslo-zone1-Key-9999");
  await page.getByRole("button", { name: "Change pre-shared key" }).click();
  await expect(page.getByRole("status")).toHaveText("Pre-shared key of Oslo link 1 changed.");
  const sw = await gw.api(t1, "GET", `${RN}/${state.rn.id}/deviceLinks/${dl.id}/cpeConfiguration?format=swanctl`);
  expect(sw.text).toContain("Oslo-zone1-Key-9999");

  // The IKE policy: custom -> other custom values (a bad Phase 2 pair is
  // refused as typed, and by the server when forced through), -> default.
  await page.getByRole("button", { name: "Edit IKE policy" }).click();
  const form = page.getByRole("form", { name: "IKE policy of Oslo link 1" });
  await expect(form.getByLabel("Custom")).toBeChecked();
  await expect(form.getByLabel("SA lifetime (seconds)")).toHaveValue("7200");
  await form.getByLabel("IPsec encryption (Phase 2)").selectOption("gcmAes256");
  await expect(form.getByRole("alert")).toContainText("is not an allowed Phase 2 pair");
  await form.getByLabel("IPsec integrity (Phase 2)").selectOption("gcmAes256");
  await expect(form.getByRole("alert")).toHaveCount(0);
  await form.getByLabel("DH group").selectOption("dhGroup24");
  await form.getByLabel("SA lifetime (seconds)").fill("28800");
  await axe(page, "edit IKE policy");
  await shots(page, "network-edit-policy");
  const path = `${RN}/${state.rn.id}/deviceLinks/${dl.id}`;
  await page.route("**" + path, async (route) => {
    const b = JSON.parse(route.request().postData());
    b.tunnelConfiguration.ipSecIntegrity = "sha256";
    await route.continue({ postData: JSON.stringify(b) });
  });
  const resp = page.waitForResponse((r) => r.url().endsWith(path) && r.request().method() === "PATCH");
  await form.getByRole("button", { name: "Save IKE policy" }).click();
  const r = await resp;
  expect(r.status()).toBe(400);
  const e = (await r.json()).error;
  const d = (e.details && e.details.length ? e.details : [e])[0];
  await expect(form.getByLabel("IPsec integrity (Phase 2)")).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByRole("alert")).toHaveText(d.message);
  await page.unroute("**" + path);
  await form.getByRole("button", { name: "Save IKE policy" }).click();
  await expect(page.getByRole("status")).toHaveText("IKE policy of Oslo link 1 saved.");
  let got = (await gw.api(t1, "GET", path)).json;
  expect(got.tunnelConfiguration).toMatchObject({ "@odata.type": CUSTOM, ikeEncryption: "aes256", ikeIntegrity: "sha384",
    dhGroup: "dhGroup24", ipSecEncryption: "gcmAes256", ipSecIntegrity: "gcmAes256", pfsGroup: "ecp384",
    saLifeTimeSeconds: 28800, preSharedKey: null });
  // The keys were kept: the PATCH sent none.
  expect((await gw.api(t1, "GET", path + "/cpeConfiguration?format=swanctl")).text).toContain("Oslo-zone1-Key-9999");
  await page.getByRole("button", { name: "Edit IKE policy" }).click();
  await form.getByLabel("Default").check();
  await expect(form.getByText(/^The default policy:/)).toBeVisible();
  await form.getByRole("button", { name: "Save IKE policy" }).click();
  await expect(page.getByRole("status")).toHaveText("IKE policy of Oslo link 1 saved.");
  got = (await gw.api(t1, "GET", path)).json;
  expect(got.tunnelConfiguration["@odata.type"]).toBe("#microsoft.graph.networkaccess.tunnelConfigurationIKEv2Default");
  expect(got.tunnelConfiguration.ikeEncryption).toBeUndefined();
  await expect(page.getByText(/Default IKE policy/)).toBeVisible();
});

test("a second tenant sees nothing of the first", async ({ browser }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, t2);
  await expect(page.getByText("No remote networks yet")).toBeVisible();
  await page.goto(gw.base + "/#/networks/" + state.rn.id);
  await expect(page.getByRole("alert")).toContainText("not found");
  await expect(page.getByText("Oslo")).toHaveCount(0);
  await ctx.close();
});

test("deleting a remote network asks first", async ({ page }) => {
  await signIn(page, t1);
  await page.goto(gw.base + "/#/networks/" + state.rn.id);
  page.once("dialog", (d) => d.dismiss());
  await page.getByRole("button", { name: "Delete remote network" }).click();
  expect((await gw.api(t1, "GET", RN + "/" + state.rn.id)).status).toBe(200);
  page.once("dialog", (d) => { expect(d.message()).toContain("Delete the remote network 'Oslo office'"); d.accept(); });
  await page.getByRole("button", { name: "Delete remote network" }).click();
  await expect(page.getByText("No remote networks yet")).toBeVisible();
  expect((await gw.api(t1, "GET", RN + "/" + state.rn.id)).status).toBe(404);
});
