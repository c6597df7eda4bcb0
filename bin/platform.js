#!/usr/bin/env node
// Entry for `npx platform …`. The tooling is TypeScript, loaded with the same ts-node the Pulumi CLI
// uses for the program; type checking happens in `npm test` (tsc --noEmit), so transpile-only here.
"use strict";
const path = require("path");
process.env.TS_NODE_TRANSPILE_ONLY = "true";
process.env.TS_NODE_PROJECT = process.env.TS_NODE_PROJECT || path.join(__dirname, "..", "tsconfig.json");
require("ts-node/register/transpile-only");
require("../cli/main").main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`platform: ${err && err.stack ? err.stack : String(err)}\n`);
    process.exit(2);
  },
);
