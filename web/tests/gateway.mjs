// gateway.mjs - a real branchgated on 127.0.0.1 with a port it picks itself
// (--api 127.0.0.1:0, read back from its log), on a fresh SQLite store with
// the tenants the tests ask for; the same as tests/api/bgtest.py.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BIN = process.env.BG_BINDIR || join(import.meta.dirname, "..", "..", "build");
export const RN = "/networkAccess/connectivity/remoteNetworks";

export async function startGateway(tenants) {
  const dir = mkdtempSync(join(tmpdir(), "bg-console-"));
  const db = "sqlite:" + join(dir, "bg.db");
  const toks = tenants.map((n) => JSON.parse(execFileSync(join(BIN, "bin", "branchgate"),
    ["tenant", "create", n, "--db", db], { encoding: "utf8" })));
  const logPath = join(dir, "daemon.log");
  const fd = openSync(logPath, "a");
  const proc = spawn(join(BIN, "bin", "branchgated"), ["--db", db, "--api", "127.0.0.1:0",
    "--endpoint", "1=203.0.113.1", "--endpoint", "2=203.0.113.2", "--ike-port", "0",
    "--natt-port", "0", "--no-dataplane", "--web-dir", join(BIN, "web")], { stdio: ["ignore", fd, fd] });
  const log = () => readFileSync(logPath, "utf8");
  let port = null;
  for (let i = 0; i < 400 && port === null; i++) {
    if (proc.exitCode !== null) throw new Error("branchgated exited: " + log());
    const m = /API listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(log());
    if (m) port = Number(m[1]);
    else await new Promise((r) => setTimeout(r, 50));
  }
  if (port === null) throw new Error("branchgated did not start: " + log());
  const base = "http://127.0.0.1:" + port;
  return {
    base, tenants: toks, log,
    api: async (token, method, path, body) => {
      const r = await fetch(base + path, { method, headers: { Authorization: "Bearer " + token,
        ...(body ? { "Content-Type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined });
      const text = await r.text();
      let json = null;
      try { json = JSON.parse(text); } catch (_) { /* text */ }
      return { status: r.status, headers: r.headers, text, json };
    },
    async stop() {
      const done = new Promise((r) => proc.once("exit", (code) => r(code)));
      proc.kill("SIGTERM");
      const code = await done;
      const l = log();
      rmSync(dir, { recursive: true, force: true });
      if (code !== 0 || /AddressSanitizer|LeakSanitizer|runtime error:/.test(l))
        throw new Error("branchgated stop: exit " + code + "\n" + l.slice(-3000));
    },
  };
}
