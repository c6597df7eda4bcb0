"use strict";
// One stack's program, run the way the Pulumi CLI runs it, under Pulumi's mock runtime.
//
// The Pulumi CLI's Node.js language host starts `node <@pulumi/pulumi>/cmd/run --pwd <dir> <entry>`
// with PULUMI_NODEJS_TYPESCRIPT / PULUMI_CONFIG / … in the environment; cmd/run/index.js parses the
// flags and calls `run()` from cmd/run/run.js, which chdirs, registers ts-node, and requires the
// entry point inside `runInPulumiStack` (the root pulumi:pulumi:Stack). This worker calls that same
// `run()` with the same arguments; the parent (cli/plan/planner.ts) sets the same environment. The
// only difference is the monitor: instead of connecting to an engine, the `programStarted` callback
// installs the mocks and the recorder (cli/plan/worker-session.ts) before the Stack is created.
//
// Plain JavaScript on purpose: registering ts-node here and again inside run() would compile every
// program file twice. The TypeScript session is required only after run() registered ts-node.
const path = require("path");
const caches = require("./caches");

caches.installCompileCache();

const { seedRunModules } = require("./run-seeds");

const processStartedAt = Date.now() - process.uptime() * 1000;

function stats(programAt, doneAt) {
  return {
    startupMs: Math.round((programAt || doneAt) - processStartedAt),
    runMs: programAt ? doneAt - programAt : 0,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    cpuMs: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000),
  };
}

let replied = false;
function reply(message) {
  if (replied) return;
  replied = true;
  process.send(message, () => process.exit(message.ok ? 0 : 1));
}

process.once("message", (request) => {
  seedRunModules();
  // As cmd/run/index.js does first: TypeScript stack traces in error messages.
  // (resolved from @pulumi/pulumi, whose dependency it is).
  const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
  require(require.resolve("source-map-support/register", { paths: [sdkDir] }));
  const { run } = require("@pulumi/pulumi/cmd/run/run");
  let session;
  let programAt;
  const loggedErrors = new Set();
  const argv = {
    _: [request.main],
    pwd: request.pwd,
    project: request.project,
    stack: request.stack,
    organization: request.organization,
    "root-directory": request.root,
  };
  const programStarted = () => {
    programAt = Date.now();
    // The SDK reads a full stack trace for every resource and most promises (source positions,
    // leak diagnostics); ts-node's source-map-support maps each frame back to TypeScript, which
    // was over half of a plan's CPU. Nothing in a plan depends on those positions, so the worker
    // keeps V8's own formatting (PLATFORM_PLAN_SOURCE_MAPS=1 restores TypeScript positions for
    // debugging a program's error traces). Config errors are messages and are unaffected.
    if (process.env.PLATFORM_PLAN_SOURCE_MAPS !== "1") Error.prepareStackTrace = undefined;
    caches.installTranspileCache();
    session = require(path.join(__dirname, "worker-session")).startSession(request, (name) => {
      // Stop at once: the planner plans the referenced stack and runs this one again.
      const err = new Error(`StackReference "${name}" has no evaluated upstream stack.`);
      reply(session.fail(err, stats(programAt, Date.now())));
    });
  };
  const reportLoggedError = (err) => loggedErrors.add(err);
  // The CLI's program process exits when its event loop drains, finished or not (a failed read whose
  // outputs are awaited leaves run() pending forever). The IPC channel would keep this process alive
  // instead, so unref it and report whatever state the program reached when the loop drains.
  if (process.channel) process.channel.unref();
  process.once("beforeExit", () => {
    const s = stats(programAt, Date.now());
    const first = [...loggedErrors][0];
    const err = first || new Error("The program stopped before its stack outputs resolved: a value it awaited never settled.");
    if (session) return reply(session.fail(err, s));
    reply({ ok: false, message: String(err.message || err), name: "Error", missingStackReferences: [], stats: { ...s, registrations: 0 } });
  });
  run(argv, programStarted, reportLoggedError, (err) => loggedErrors.has(err)).then(
    async () => {
      const doneAt = Date.now();
      // Peak memory and CPU are read once the deployment document is built; runMs ends with the run.
      reply(await session.succeed(() => stats(programAt, doneAt)));
    },
    (err) => {
      const s = stats(programAt, Date.now());
      if (session) return reply(session.fail(err, s));
      reply({
        ok: false,
        message: err && err.message ? err.message : String(err),
        name: (err && err.name) || "Error",
        stack: err && err.stack,
        missingStackReferences: [],
        stats: { ...s, registrations: 0 },
      });
    },
  );
});
