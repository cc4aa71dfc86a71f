// policy.spec.mjs - the security policy and traffic pages in a real browser
// against a real branchgated: a filtering policy with an FQDN rule linked
// to the baseline profile, the cloud firewall's first rule (which creates
// and links the policy) and its switch, and the traffic logs filled through
// tests/traffic_fill (the writes the gateway's drain makes), with the
// action filter, paging and the summary. Axe and screenshots on each page.
import { test, expect } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { startGateway } from "./gateway.mjs";

const BIN = process.env.BG_BINDIR || join(import.meta.dirname, "..", "..", "build");
const SHOTS = join(BIN, "console-screenshots");
const FPOL = "/networkAccess/filteringPolicies";
const FPROF = "/networkAccess/filteringProfiles";
const FW = "/networkAccess/cloudFirewallPolicies";

test.describe.configure({ mode: "serial" });

let gw, tok, tid;
const state = {};

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  gw = await startGateway(["Contoso"]);
  tok = gw.tenants[0].token;
  tid = gw.tenants[0].id;
});
test.afterAll(async () => { if (gw) await gw.stop(); });

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

async function open(page, nav, heading) {
  await page.goto(gw.base + "/#token=" + encodeURIComponent(tok));
  await expect(page.getByRole("heading", { name: "Remote networks", level: 1 })).toBeVisible();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: nav }).click();
  await expect(page.getByRole("heading", { name: heading, level: 1 })).toBeVisible();
}

async function baseline() {
  const r = await gw.api(tok, "GET", FPROF + "?$expand=policies");
  return r.json.value.find((p) => p.priority === 65000);
}

test("filtering policy: create, FQDN and web category rules, link to the baseline, edit the link, delete", async ({ page }) => {
  await open(page, "Filtering policies", "Filtering policies");
  await expect(page.getByText("No filtering policies yet.")).toBeVisible();
  await page.getByLabel("Policy name").fill("Block social");
  await page.getByLabel("Policy action").selectOption("block");
  await page.getByRole("button", { name: "Create policy" }).click();
  await expect(page.getByRole("status")).toHaveText("Filtering policy Block social created.");
  // Server side: a second policy of the same name is refused, at the field.
  await page.getByLabel("Policy name").fill("Block social");
  const resp = page.waitForResponse((r) => r.url().endsWith(FPOL) && r.request().method() === "POST");
  await page.getByRole("button", { name: "Create policy" }).click();
  const r409 = await resp;
  expect(r409.status()).toBe(409);
  await expect(page.locator("#np-name-err")).toHaveText((await r409.json()).error.message);
  await expect(page.getByLabel("Policy name")).toHaveAttribute("aria-invalid", "true");

  const ptab = page.getByRole("table", { name: "Filtering policies of this tenant" });
  const row = ptab.getByRole("row", { name: /Block social/ });
  await expect(row).toContainText("block");
  await expect(row.getByRole("cell").nth(2)).toHaveText("0");
  await expect(row).toContainText("Not linked");
  const rules = page.getByRole("region", { name: "Rules of Block social" });
  await expect(rules).toBeVisible();	// opened after the create
  // Client side, in the API's words: a wildcard only as a leading "*.".
  await rules.getByLabel("Rule name", { exact: true }).fill("Social");
  const dest = rules.getByLabel("Destinations (FQDNs, one per line)");
  await dest.fill("*.social.example\nsocial.*.example");
  await expect(rules.locator("[id$='-fd-err']")).toHaveText("destinations[1].value 'social.*.example' a wildcard is allowed only as a leading \"*.\"");
  await expect(dest).toHaveAttribute("aria-invalid", "true");
  await dest.fill("*.Social.example\nchat.example.net");
  await expect(rules.locator("[id$='-fd-err']")).toHaveCount(0);
  await rules.getByRole("button", { name: "Add FQDN rule" }).click();
  await expect(page.getByRole("status")).toHaveText("Rule Social added to Block social.");
  await expect(rules.getByRole("row", { name: /Social/ })).toContainText("*.social.example, chat.example.net");
  // A web category rule from the gateway's category list.
  const cats = (await gw.api(tok, "GET", "/networkAccess/connectivity/webCategories")).json.value;
  expect(cats.length).toBeGreaterThan(0);
  await rules.getByLabel("Web category rule name").fill("Gambling sites");
  await rules.getByLabel(cats[0].displayName, { exact: true }).check();
  await rules.getByRole("button", { name: "Add web category rule" }).click();
  await expect(rules.getByRole("row", { name: /Gambling sites/ })).toContainText(cats[0].displayName);
  await expect(row.getByRole("cell").nth(2)).toHaveText("2");
  await axe(page, "filtering policies");

  // Link to the baseline at priority 100.
  await page.getByLabel("Policy to link").selectOption({ label: "Block social" });
  await page.getByLabel("Link priority").fill("100");
  await page.getByRole("button", { name: "Link policy" }).click();
  await expect(page.getByRole("status")).toHaveText("Policy linked to the baseline profile.");
  await expect(row).toContainText("priority 100, enabled");
  const pols = (await gw.api(tok, "GET", FPOL + "?$expand=policyRules")).json.value;
  expect(pols.length).toBe(1);
  const p = pols[0];
  state.policy = p;
  expect(p).toMatchObject({ name: "Block social", action: "block" });
  const fq = p.policyRules.find((x) => x.name === "Social");
  expect(fq.ruleType).toBe("fqdn");
  expect(fq.destinations.map((d) => d.value)).toEqual(["*.social.example", "chat.example.net"]);
  expect(p.policyRules.find((x) => x.name === "Gambling sites").destinations.map((d) => d.name)).toEqual([cats[0].name]);
  let b = await baseline();
  let l = b.policies.find((x) => x.policy.id === p.id);
  expect(l).toMatchObject({ "@odata.type": "#microsoft.graph.networkaccess.filteringPolicyLink", priority: 100, state: "enabled" });
  await shots(page, "policies");

  // Change the link: priority and state.
  await page.getByLabel("Priority of Block social").fill("150");
  await page.getByLabel("State of Block social").selectOption("disabled");
  await page.getByRole("button", { name: "Save link of Block social" }).click();
  await expect(page.getByRole("status")).toHaveText("Link of Block social saved.");
  await expect(row).toContainText("priority 150, disabled");
  l = (await baseline()).policies.find((x) => x.policy.id === p.id);
  expect(l).toMatchObject({ priority: 150, state: "disabled" });
  await page.getByLabel("State of Block social").selectOption("enabled");
  await page.getByRole("button", { name: "Save link of Block social" }).click();
  await expect(row).toContainText("priority 150, enabled");

  // A linked policy cannot be deleted: the server's 409 is shown.
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Delete Block social" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "is linked to the filtering profile" })).toBeVisible();
  expect((await gw.api(tok, "GET", FPOL + "/" + p.id)).status).toBe(200);

  // A second policy: linked, unlinked, deleted (each after a confirmation).
  await page.getByLabel("Policy name").fill("Allow partners");
  await page.getByLabel("Policy action").selectOption("allow");
  await page.getByRole("button", { name: "Create policy" }).click();
  await expect(ptab.getByRole("row", { name: /Allow partners/ })).toContainText("allow");
  await page.getByLabel("Policy to link").selectOption({ label: "Allow partners" });
  await page.getByLabel("Link priority").fill("150");
  const lr = page.waitForResponse((r) => r.url().endsWith("/policies") && r.request().method() === "POST");
  await page.getByRole("button", { name: "Link policy" }).click();
  const lj = await (await lr).json();
  await expect(page.locator("#lk-prio-err")).toHaveText(lj.error.message);	// priority taken: 409
  await page.getByLabel("Link priority").fill("90");
  await page.getByRole("button", { name: "Link policy" }).click();
  await expect(ptab.getByRole("row", { name: /Allow partners/ })).toContainText("priority 90, enabled");
  page.once("dialog", (d) => d.dismiss());
  await page.getByRole("button", { name: "Unlink Allow partners" }).click();
  expect((await baseline()).policies.length).toBe(2);
  page.once("dialog", (d) => { expect(d.message()).toContain("Unlink the policy 'Allow partners'"); d.accept(); });
  await page.getByRole("button", { name: "Unlink Allow partners" }).click();
  await expect(page.getByRole("status")).toHaveText("Policy Allow partners unlinked.");
  expect((await baseline()).policies.map((x) => x.policy.name)).toEqual(["Block social"]);
  page.once("dialog", (d) => { expect(d.message()).toContain("Delete the filtering policy 'Allow partners'"); d.accept(); });
  await page.getByRole("button", { name: "Delete Allow partners" }).click();
  await expect(page.getByRole("status")).toHaveText("Filtering policy Allow partners deleted.");
  expect((await gw.api(tok, "GET", FPOL)).json.value.map((x) => x.name)).toEqual(["Block social"]);
  await axe(page, "filtering policies (linked)");
});

test("cloud firewall: the first rule creates and links the policy; rules start disabled and toggle", async ({ page }) => {
  await open(page, "Cloud firewall", "Cloud firewall");
  await expect(page.getByText("No cloud firewall policy is linked to the baseline profile yet")).toBeVisible();
  await expect(page.getByText("New rules start disabled", { exact: false })).toBeVisible();
  await page.getByLabel("Rule name").fill("Block 8080");
  await page.getByLabel("Priority").fill("100");
  await page.getByLabel("Action").selectOption("block");
  await page.getByLabel("Source addresses").fill("10.1.0.1/24");
  await page.getByLabel("Destination addresses").fill("203.0.113.0/24");
  await page.getByLabel("Destination ports").fill("8080");
  await page.getByLabel("Protocol").selectOption("tcp");
  // Server side: host bits set, the API's message under the field.
  await page.getByRole("button", { name: "Add rule" }).click();
  await expect(page.locator("#fw-srca-err")).toContainText("matchingConditions.sources.addresses[0].values[0] '10.1.0.1/24' has host bits set");
  await expect(page.getByLabel("Source addresses")).toHaveAttribute("aria-invalid", "true");
  await page.getByLabel("Source addresses").fill("10.1.0.0/24");
  await page.getByRole("button", { name: "Add rule" }).click();
  await expect(page.getByRole("status")).toHaveText("Firewall rule Block 8080 created, disabled.");
  await expect(page.getByText("Rules of the cloud firewall policy Baseline firewall")).toBeVisible();
  const b = await baseline();
  const fl = b.policies.find((x) => x["@odata.type"] === "#microsoft.graph.networkaccess.cloudFirewallPolicyLink");
  expect(fl.policy.name).toBe("Baseline firewall");
  expect((await gw.api(tok, "GET", FW)).json.value.length).toBe(1);	// made once, by the first rule
  state.fw = fl.policy;
  const row = page.getByRole("row", { name: /Block 8080/ });
  await expect(row.getByRole("cell")).toHaveText(["100", "Block 8080", "block", "10.1.0.0/24", "203.0.113.0/24 port 8080", "TCP", "Off", "Delete"]);
  const sw = row.getByRole("switch", { name: "Enabled: Block 8080" });
  await expect(sw).toHaveAttribute("aria-checked", "false");
  const rule = async () => (await gw.api(tok, "GET", FW + "/" + fl.policy.id + "/policyRules")).json.value.find((x) => x.name === "Block 8080");
  expect(await rule()).toMatchObject({ priority: 100, action: "block", settings: { status: "disabled" },
    matchingConditions: { destinations: { ports: ["8080"], protocols: "tcp" } } });
  // The switch, by keyboard.
  await sw.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status")).toHaveText("Firewall rule Block 8080 enabled.");
  await expect(sw).toHaveAttribute("aria-checked", "true");
  expect((await rule()).settings.status).toBe("enabled");
  // A second rule goes to the same policy, in priority order.
  await page.getByLabel("Rule name").fill("Allow DNS");
  await page.getByLabel("Priority").fill("90");
  await page.getByRole("button", { name: "Add rule" }).click();
  await expect(page.locator("#fw-prio-err")).toHaveText("priority must be an integer of 100 or more");
  await page.getByLabel("Priority").fill("110");
  await page.getByLabel("Action").selectOption("allow");
  await page.getByLabel("Destination ports").fill("53");
  await page.getByLabel("Protocol").selectOption("udp");
  await page.getByRole("button", { name: "Add rule" }).click();
  await expect(page.getByRole("status")).toHaveText("Firewall rule Allow DNS created, disabled.");
  expect((await gw.api(tok, "GET", FW)).json.value.length).toBe(1);
  await expect(page.getByRole("row").nth(1)).toContainText("Block 8080");
  await expect(page.getByRole("row").nth(2)).toContainText("Allow DNS");
  await axe(page, "cloud firewall");
  await shots(page, "firewall");
  await page.getByRole("switch", { name: "Enabled: Block 8080" }).click();
  await expect(page.getByRole("status")).toHaveText("Firewall rule Block 8080 disabled.");
  expect((await rule()).settings.status).toBe("disabled");
  page.once("dialog", (d) => { expect(d.message()).toContain("Delete the firewall rule 'Allow DNS'"); d.accept(); });
  await page.getByRole("button", { name: "Delete rule Allow DNS" }).click();
  await expect(page.getByRole("row", { name: /Allow DNS/ })).toHaveCount(0);
  expect((await gw.api(tok, "GET", FW + "/" + fl.policy.id + "/policyRules")).json.value.map((x) => x.name)).toEqual(["Block 8080"]);
});

test("traffic logs: records, the action filter, paging, names and the summary", async ({ page }) => {
  const db = /store (sqlite:\S+) \(schema/.exec(gw.log())[1];
  const rn = (await gw.api(tok, "POST", "/networkAccess/connectivity/remoteNetworks", { name: "Oslo branch", region: "northEurope" })).json;
  const now = Date.now();
  const recs = [];
  for (let i = 0; i < 30; i++) {
    const block = i % 3 === 0;
    const r = { tenantId: tid, transactionId: randomUUID(), connectionId: randomUUID(), sessionId: "ike-1",
      createdDateTime: new Date(now - (30 - i) * 60000).toISOString(), trafficType: "internet",
      sourceIp: "10.1.0." + (2 + i % 5), sourcePort: 40000 + i, destinationIp: "203.0.113." + (1 + i % 9),
      destinationPort: i % 2 ? 443 : 80, protocol: i % 4 === 3 ? 17 : 6, action: block ? "block" : "allow",
      sentBytes: 1000 + i, receivedBytes: block ? 0 : 20000 + i, remoteNetworkId: rn.id };
    if (i % 5) r.destinationFQDN = (block ? "chat.social.example" : "www" + (i % 3) + ".example.com");
    if (block) { r.policyId = i % 2 ? state.fw.id : state.policy.id; r.description = i % 2 ? "firewall" : "fqdn"; }
    recs.push(r);
  }
  const out = execFileSync(join(BIN, "tests", "traffic_fill"), ["--db", db], { input: JSON.stringify(recs), encoding: "utf8" });
  expect(out.trim()).toBe("30");
  await open(page, "Traffic logs", "Traffic logs");
  await expect(page.getByRole("status").filter({ hasText: "transactions" })).toHaveText("30 transactions");
  const grid = page.getByRole("table", { name: "Traffic transactions, newest first" });
  const rows = grid.getByRole("row");
  await expect(rows).toHaveCount(26);	// header + the page of 25
  const newest = recs[29];
  await expect(rows.nth(1)).toContainText(newest.sourceIp + ":" + newest.sourcePort);
  await expect(rows.nth(1)).toContainText("Oslo branch");
  // Paging by @odata.nextLink, and back.
  await page.getByRole("button", { name: "Next page" }).click();
  await expect(rows).toHaveCount(6);
  await expect(rows.nth(5)).toContainText(recs[0].sourceIp + ":" + recs[0].sourcePort);
  await expect(page.getByRole("button", { name: "Next page" })).toBeDisabled();
  await page.getByRole("button", { name: "Previous page" }).click();
  await expect(rows).toHaveCount(26);
  // Summary: the API's report, on the page.
  const s = page.getByRole("region", { name: "Summary" });
  await expect(s.getByText("10 blocked", { exact: true })).toBeVisible();
  const by = (id) => recs.filter((r) => r.policyId === id).length;
  await expect(s).toContainText(`Block social: ${by(state.policy.id)} (${by(state.policy.id)} blocked)`);
  await expect(s).toContainText(`Baseline firewall: ${by(state.fw.id)} (${by(state.fw.id)} blocked)`);
  await expect(s).toContainText(`No policy matched: ${by(undefined)}`);
  await expect(s).toContainText("chat.social.example");
  await axe(page, "traffic logs");
  await shots(page, "traffic");
  // action = block: only blocks, highlighted, with the policy's name.
  const fr = page.waitForResponse((r) => r.url().includes("/logs/traffic") && r.url().includes("filter"));
  await page.getByLabel("Action").selectOption("block");
  expect(decodeURIComponent(new URL((await fr).url()).searchParams.get("$filter"))).toBe("action eq 'block'");
  await expect(page.getByRole("status").filter({ hasText: "transactions" })).toHaveText("10 transactions");
  await expect(rows).toHaveCount(11);
  for (let i = 1; i < 11; i++) {
    await expect(rows.nth(i).getByRole("cell").nth(4)).toContainText("block");
    await expect(rows.nth(i)).toHaveClass("blocked");
    await expect(rows.nth(i).getByRole("cell").nth(5)).toHaveText(/^(Block social|Baseline firewall)$/);
  }
  await shots(page, "traffic-blocked");
  // With the FQDN too: "... eq ... and ...".
  await page.getByLabel("Destination FQDN").fill("chat.social.example");
  await page.getByRole("button", { name: "Apply" }).click();
  const want = recs.filter((r) => r.action === "block" && r.destinationFQDN === "chat.social.example").length;
  await expect(page.getByRole("status").filter({ hasText: "transactions" })).toHaveText(want + " transactions");
  const api = await gw.api(tok, "GET", "/networkAccess/logs/traffic?$count=true&$filter=" +
    encodeURIComponent("action eq 'block' and destinationFQDN eq 'chat.social.example'"));
  expect(api.json["@odata.count"]).toBe(want);
  await page.getByLabel("Action").selectOption("allow");
  await expect(page.getByText("No transactions match.")).toBeVisible();
});
