// Builds the browser bundles into dist/: each entry minified, named by a hash of its content (served with
// a year's cache lifetime), and dist/manifest.json maps the stable names the apps know to those files.
import { build } from "esbuild";
import { cp, mkdir, rm, writeFile } from "node:fs/promises";
import { basename } from "node:path";

const entries = {
  "rstat-widgets": "src/widgets/index.ts",
  "rstat-ops": "src/ops/index.ts",
  "rstat-console": "src/console/index.ts",
};
/** the console's service worker: a stable name, since a browser updates a worker by fetching the same URL */
const WORKER = { name: "rstat-console-sw", entry: "src/console/sw.ts" };

await rm("dist", { recursive: true, force: true });
await mkdir("dist");
const result = await build({
  entryPoints: entries,
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  outdir: "dist",
  entryNames: "[name].[hash]",
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
});
const manifest = {};
for (const [file, output] of Object.entries(result.metafile.outputs)) {
  if (!output.entryPoint) continue;
  const name = Object.keys(entries).find((key) => entries[key] === output.entryPoint);
  manifest[name] = basename(file);
}
await build({
  entryPoints: { [WORKER.name]: WORKER.entry },
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2022",
  outdir: "dist",
  legalComments: "none",
  logLevel: "warning",
});
manifest[WORKER.name] = `${WORKER.name}.js`;
// the console's installable-app files (web manifest, icons), served by the admin app under /console/
await cp("public/console", "dist/console", { recursive: true });
await writeFile("dist/manifest.json", JSON.stringify(manifest, null, 2) + "\n");
console.log(`web: built ${Object.values(manifest).join(", ")}`);
