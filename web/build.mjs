// build.mjs - bundle the console with esbuild: OUTDIR/index.html and
// OUTDIR/assets/main-HASH.{js,css}. No inline script or style (the CSP
// forbids them); the hashed names let the daemon cache assets for a year.
import * as esbuild from "esbuild";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] || join(here, "dist");
rmSync(join(out, "assets"), { recursive: true, force: true });
mkdirSync(join(out, "assets"), { recursive: true });
const r = await esbuild.build({
  entryPoints: [join(here, "src", "main.js")],
  bundle: true, minify: true, format: "esm", target: "es2020",
  outdir: join(out, "assets"), entryNames: "[name]-[hash]",
  metafile: true, legalComments: "none", logLevel: "warning",
});
let js = "", css = "";
for (const f of Object.keys(r.metafile.outputs)) {
  if (f.endsWith(".js")) js = basename(f);
  if (f.endsWith(".css")) css = basename(f);
}
const html = readFileSync(join(here, "src", "index.html"), "utf8")
  .replace("%JS%", "assets/" + js).replace("%CSS%", "assets/" + css);
writeFileSync(join(out, "index.html"), html);
console.log("web console: " + out + " (" + js + ", " + css + ")");
