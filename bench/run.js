#!/usr/bin/env node
// `npm run bench`: loads the TypeScript benchmark (bench/bench.ts) the way bin/platform.js loads the
// CLI, then writes BENCHMARKS.md. Env: BENCH_REPS (default 3), BENCH_SCALES (default 10,50,200).
"use strict";
const path = require("path");
process.env.TS_NODE_TRANSPILE_ONLY = "true";
process.env.TS_NODE_PROJECT = process.env.TS_NODE_PROJECT || path.join(__dirname, "..", "tsconfig.json");
require("ts-node/register/transpile-only");
require("./bench").main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench: ${err && err.stack ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
