// Bundle the extension and vscode-languageclient into one file: dist/extension.js.
// `node esbuild.mjs --production` minifies; `vsce package` runs that through vscode:prepublish.
import * as esbuild from "esbuild";

const production = process.argv.includes("--production");

await esbuild.build({
  entryPoints: ["src/extension.ts"],
  bundle: true,
  outfile: "dist/extension.js",
  format: "cjs",
  platform: "node",
  target: "node18",
  external: ["vscode"],
  minify: production,
  sourcemap: !production,
  logLevel: "warning",
});
