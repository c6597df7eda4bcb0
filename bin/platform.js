#!/usr/bin/env node
// Entry for `npx platform …`. Runs the compiled CLI (dist/, built by `npm ci` through the prepare
// script) when it is at least as new as every TypeScript source; otherwise the sources through
// ts-node (transpile-only: type checking is `npm test`'s), so an edit is never served stale.
// PLATFORM_FROM_SOURCE=1 forces the sources.
"use strict";
const path = require("path");
const { distState } = require("./dist");

function load() {
  const dist = process.env.PLATFORM_FROM_SOURCE === "1" ? { state: "forced" } : distState();
  if (dist.state === "fresh") return require("../dist/cli/main");
  if (dist.state !== "forced" && !process.env.CI) {
    process.stderr.write(
      `platform: dist/ is ${dist.state === "missing" ? "not built" : "older than the TypeScript sources"}; ` +
        "running from the sources (slower start). `npm run build:dist` compiles it.\n",
    );
  }
  process.env.TS_NODE_TRANSPILE_ONLY = "true";
  process.env.TS_NODE_PROJECT = process.env.TS_NODE_PROJECT || path.join(__dirname, "..", "tsconfig.json");
  require("ts-node/register/transpile-only");
  return require("../cli/main");
}

function fail(err) {
  const debug = process.env.PLATFORM_DEBUG === "1";
  process.stderr.write(`platform: ${err instanceof Error ? (debug && err.stack) || err.message : String(err)}\n`);
  process.exit(2);
}

let cli;
try {
  cli = load();
} catch (err) {
  fail(err);
}
cli.main(process.argv.slice(2)).then((code) => process.exit(code), fail);
