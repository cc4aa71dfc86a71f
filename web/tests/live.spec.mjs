// live.spec.mjs - run only by tests/interop/test_console_live.sh, which
// owns the namespaces, the gateway and a strongSwan + BIRD branch. The
// page stays open while the branch connects: the link's state must go
// Disconnected -> "Connected, not passing traffic" (tunnel, no BGP yet) ->
// Connected, by the page's own refresh, never a reload. The two marker
// files tell the script when to start the tunnel and then BIRD, so each
// state is seen however fast the machine is.
import { test, expect } from "@playwright/test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const E = process.env;
const BIN = E.BG_BINDIR || join(import.meta.dirname, "..", "..", "build");
const SHOTS = join(BIN, "console-screenshots");

test("a link comes up in a namespace test and turns Connected without a reload", async ({ page }) => {
  test.setTimeout(300000);
  mkdirSync(SHOTS, { recursive: true });
  await page.goto(E.BG_LIVE_BASE + "/#token=" + encodeURIComponent(E.BG_LIVE_TOKEN));
  await expect(page.getByRole("heading", { name: "Remote networks", level: 1 })).toBeVisible();
  const item = page.getByRole("listitem").filter({ hasText: E.BG_LIVE_LINK + ":" });
  const state = item.locator(".state");
  await expect(state).toHaveText("Disconnected");
  await expect(item.locator(".reason")).toContainText("(noTunnel)");
  // A reload or a navigation would drop this mark.
  await page.evaluate(() => { window.bgLiveMark = 1; });
  writeFileSync(join(E.BG_LIVE_DIR, "console-ready"), "");

  await expect(state).toHaveText("Connected, not passing traffic", { timeout: 120000 });
  await expect(item.locator(".reason")).toContainText("(bgpDown)");
  await page.screenshot({ path: join(SHOTS, "live-tunnel-1280x800.png"), fullPage: true });
  writeFileSync(join(E.BG_LIVE_DIR, "console-tunnel"), "");

  await expect(state).toHaveText("Connected", { timeout: 120000 });
  await expect(item.locator(".reason")).toHaveCount(0);
  expect(await page.evaluate(() => window.bgLiveMark)).toBe(1);
  await page.screenshot({ path: join(SHOTS, "live-connected-1280x800.png"), fullPage: true });

  // The link detail page agrees: zone 1 connected, BGP established, the
  // branch LAN learned.
  await item.getByRole("link", { name: E.BG_LIVE_LINK }).click();
  await expect(page.getByText("Connectivity: Connected")).toBeVisible();
  await expect(page.getByRole("row", { name: /^1 connected/ })).toBeVisible();
  await expect(page.locator("dd").filter({ hasText: /^established$/ })).toHaveCount(1);
  const mine = page.getByRole("table", { name: "Zone 1: routes from the branch" });
  await expect(mine.getByRole("row", { name: new RegExp("^" + E.BG_LIVE_LAN.replace(/[./]/g, "\\$&") + " \\S+ 1 installed$") })).toBeVisible();
  const ours = page.getByRole("table", { name: "Zone 1: routes the gateway advertises" });
  await expect(ours.getByRole("row", { name: "0.0.0.0/0" })).toBeVisible();
  await page.screenshot({ path: join(SHOTS, "live-link-1280x800.png"), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(mine).toBeVisible();
  await page.screenshot({ path: join(SHOTS, "live-link-390x844.png"), fullPage: true });
});
