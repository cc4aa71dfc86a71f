// Playwright drives Debian's chromium (never a downloaded browser) against
// a real branchgated on loopback (tests/gateway.mjs). Artifacts go to the
// build dir: BG_BINDIR/web-test-results and BG_BINDIR/console-screenshots.
import { defineConfig } from "@playwright/test";
import { existsSync } from "node:fs";
import { join } from "node:path";

const CHROMIUM = process.env.BG_CHROMIUM || "/usr/bin/chromium";
if (!existsSync(CHROMIUM)) {
  console.error("web/console: no " + CHROMIUM + " (apt-get install chromium): skipped");
  process.exit(77);
}
const bindir = process.env.BG_BINDIR || join(import.meta.dirname, "..", "build");

export default defineConfig({
  testDir: "tests",
  // live.spec.mjs needs a tunnel from a real branch: only
  // tests/interop/test_console_live.sh runs it (with BG_LIVE_BASE set).
  testIgnore: process.env.BG_LIVE_BASE ? [] : ["**/live.spec.mjs"],
  outputDir: join(bindir, process.env.BG_LIVE_BASE ? "web-live-results" : "web-test-results"),
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: [["list"]],
  timeout: 120000,
  expect: { timeout: 15000 },
  use: {
    browserName: "chromium",
    launchOptions: {
      executablePath: CHROMIUM,
      // Root (CI) cannot use chromium's user-namespace sandbox.
      args: process.getuid && process.getuid() === 0 ? ["--no-sandbox"] : [],
    },
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
    trace: "retain-on-failure",
  },
});
