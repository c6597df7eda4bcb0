// Whether dist/ (compiled by `npm run build:dist`, which `npm ci` runs as the prepare script) may serve
// a command, or the TypeScript sources must. Plain CommonJS so bin/platform.js can ask before
// loading anything: it is the one module every start pays for.
//
// dist/ is stale when any TypeScript source of the CLI, the program or the pack, or a tsconfig, is
// newer than the stamp the build writes last: a developer who edits a .ts file and runs the CLI gets
// the edited code (from ts-node, with a hint to rebuild), never yesterday's JavaScript.
"use strict";
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const DIST = path.join(ROOT, "dist");
const STAMP = path.join(DIST, ".build-stamp");

const SOURCE_DIRS = ["cli", "infra", "policies"];
// Besides the .ts sources, the files the compiled output embeds: configs and the JSON tsc copies.
const BUILD_INPUTS = ["tsconfig.json", "tsconfig.build.json", "cli/cost/prices.json", "policies/package.json"];

function newestSource(dir, newest) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return newest;
  }
  for (const e of entries) {
    if (e.name === "node_modules") continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = newestSource(p, newest);
    else if (e.name.endsWith(".ts")) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * { state: "fresh" | "stale" | "missing", root, dist }. "stale" names the newest source's time so
 * the hint can say why.
 */
function distState(root = ROOT) {
  const dist = path.join(root, "dist");
  const stamp = path.join(dist, ".build-stamp");
  let built;
  try {
    built = fs.statSync(stamp).mtimeMs;
  } catch {
    return { state: "missing", root, dist };
  }
  let newest = 0;
  for (const d of SOURCE_DIRS) newest = newestSource(path.join(root, d), newest);
  for (const f of BUILD_INPUTS) {
    try {
      newest = Math.max(newest, fs.statSync(path.join(root, f)).mtimeMs);
    } catch {
      // an absent config cannot be newer than the build
    }
  }
  return { state: newest > built ? "stale" : "fresh", root, dist };
}

module.exports = { distState, DIST, STAMP, ROOT };
