#!/usr/bin/env node
// `npm run build:dist` (and `npm ci`, through the prepare script): compiles cli/, infra/ and policies/
// into dist/ with tsconfig.build.json, gives the compiled pack a package.json (@pulumi/policy reads
// the pack's version from <cwd>/package.json; `main` points at the JavaScript), then writes the
// stamp bin/dist.js compares sources against. The stamp is written last, so a failed or interrupted
// build leaves dist/ "stale" and the CLI runs from the sources.
"use strict";
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");
const { DIST, STAMP, ROOT } = require("../bin/dist");

fs.rmSync(STAMP, { force: true });
const tsc = require.resolve("typescript/bin/tsc", { paths: [ROOT] });
const r = spawnSync(process.execPath, [tsc, "-p", path.join(ROOT, "tsconfig.build.json")], { stdio: "inherit" });
if (r.status !== 0) {
  process.stderr.write("build-dist: tsc failed; dist/ is left stale and `platform` runs from the TypeScript sources\n");
  process.exit(r.status || 1);
}
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "policies", "package.json"), "utf8"));
fs.writeFileSync(path.join(DIST, "policies", "package.json"), JSON.stringify({ ...pkg, main: "index.js" }, null, 2) + "\n");
fs.writeFileSync(STAMP, `${new Date().toISOString()}\n`);
