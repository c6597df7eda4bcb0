"use strict";
// Two modules that `@pulumi/pulumi/cmd/run/run.js` requires, seeded into the module cache before the
// worker requires run.js, so that run() itself runs unchanged and nothing else does.
// test/cli/runtime-load.test.ts compares each seed with the real module.
const Module = require("module");

// run.js does `require(".")` (cmd/run/index.js) for one constant, and index.js is the CLI's main: on
// load it parses process.argv and exits for want of `--monitor`.
const RUN_INDEX_EXPORTS = { nodeJSProcessExitedAfterLoggingUserActionableMessage: 32 };

// run.js also requires ./tracing, which loads OpenTelemetry's SDK, the Zipkin exporter and the gRPC
// instrumentation (~60 ms per worker). Without a `--tracing` URL, which the worker never passes,
// run() only calls tracing.newSpan(), and what it gets back is OpenTelemetry's non-recording span
// (no tracer provider is ever registered). This is that span.
const INVALID_SPAN_CONTEXT = { traceId: "00000000000000000000000000000000", spanId: "0000000000000000", traceFlags: 0 };
const NOOP_SPAN = {
  spanContext: () => INVALID_SPAN_CONTEXT,
  setAttribute: () => NOOP_SPAN,
  setAttributes: () => NOOP_SPAN,
  addEvent: () => NOOP_SPAN,
  addLink: () => NOOP_SPAN,
  addLinks: () => NOOP_SPAN,
  setStatus: () => NOOP_SPAN,
  updateName: () => NOOP_SPAN,
  end: () => {},
  isRecording: () => false,
  recordException: () => {},
};
const RUN_TRACING_EXPORTS = {
  start() {
    throw new Error("platform plan does not trace: the worker never passes --tracing to run().");
  },
  stop: () => {},
  newSpan: () => NOOP_SPAN,
};

const SEEDS = {
  "@pulumi/pulumi/cmd/run/index.js": RUN_INDEX_EXPORTS,
  "@pulumi/pulumi/cmd/run/tracing.js": RUN_TRACING_EXPORTS,
};

function seedRunModules() {
  for (const [specifier, exports] of Object.entries(SEEDS)) {
    const file = require.resolve(specifier);
    if (require.cache[file]) continue;
    const stub = new Module(file, module);
    stub.filename = file;
    stub.loaded = true;
    stub.exports = exports;
    require.cache[file] = stub;
  }
}

module.exports = { seedRunModules, SEEDS, NOOP_SPAN };
