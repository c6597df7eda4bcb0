"use strict";
// The floor `npm run bench` compares `platform plan` with: a bare script that registers the very
// same resources (types, names, parents, inputs, protect, explicit providers, taken from a plan
// file) with Pulumi's mock runtime, and does nothing else: no TypeScript, no @pulumi/aws, no
// program, no config validation, mocks that echo inputs, no recording.
//
// Usage: node bench/floor.js <plan.json> [<declared.json>]   prints {"registrations": n, "maxRssBytes": n, "cpuMs": n}
//
// With <declared.json> (bench/declared-properties.js), each custom resource is registered with every
// property its @pulumi/aws class declares (undefined unless the plan has an input for it), as the
// class itself registers it: the SDK's cost of those classes, still without any program.
const fs = require("fs");
const pulumi = require("@pulumi/pulumi");
const { runInPulumiStack } = require("@pulumi/pulumi/runtime/stack");

const doc = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const declared = process.argv[3] ? JSON.parse(fs.readFileSync(process.argv[3], "utf8")) : {};
/** Every property the type's class declares, undefined (empty without a declared map). */
function declaredProps(type) {
  const props = {};
  for (const k of declared[type] || []) props[k] = undefined;
  return props;
}
const resources = doc.deployment.resources || [];
const root = resources.find((r) => r.type === "pulumi:pulumi:Stack");
const parts = root.urn.slice("urn:pulumi:".length).split("::");
const stack = parts[0];
const project = parts[1];

pulumi.runtime.setMocks(
  {
    newResource: (a) => ({ id: a.id || `${a.name}-id`, state: a.inputs }),
    call: () => ({}),
  },
  project,
  stack,
  false,
);

const nameOf = (urn) => urn.split("::").slice(3).join("::");
const SIG = "4dabf18193072939515e22adb298388d";
// State-form secrets ({sig, ciphertext}) back into secret inputs, as the program passed them.
function inputsOf(v) {
  if (Array.isArray(v)) return v.map(inputsOf);
  if (v && typeof v === "object") {
    if (v[SIG] === "1b47061264138c4ac30d75fd1eb44270") return pulumi.secret(v.ciphertext);
    const out = {};
    for (const [k, x] of Object.entries(v)) out[k] = inputsOf(x);
    return out;
  }
  return v;
}
let registrations = 1;

runInPulumiStack(async () => {
  const byUrn = new Map([[root.urn, undefined]]);
  for (const r of resources) {
    if (r === root) continue;
    const name = nameOf(r.urn);
    // Default providers are created by the engine, not registered by programs.
    if (r.type.startsWith("pulumi:providers:") && name.startsWith("default")) continue;
    const parent = r.parent ? byUrn.get(r.parent) : undefined;
    const providerUrn = r.provider ? r.provider.slice(0, r.provider.lastIndexOf("::")) : undefined;
    const provider = providerUrn ? byUrn.get(providerUrn) : undefined;
    const opts = { parent, ...(provider ? { provider } : {}), ...(r.protect ? { protect: true } : {}) };
    let res;
    if (r.type.startsWith("pulumi:providers:")) {
      res = new pulumi.ProviderResource(r.type.slice("pulumi:providers:".length), name, inputsOf(r.inputs || {}), opts);
    } else if (r.external) {
      res = new pulumi.CustomResource(r.type, name, declaredProps(r.type), { ...opts, id: r.id });
    } else if (r.custom) {
      res = new pulumi.CustomResource(r.type, name, Object.assign(declaredProps(r.type), inputsOf(r.inputs || {})), opts);
    } else {
      const remote = !!r.provider;
      res = new pulumi.ComponentResource(r.type, name, inputsOf(r.inputs || {}), { parent }, remote);
      if (!remote) res.registerOutputs(inputsOf(r.outputs || {}));
    }
    byUrn.set(r.urn, res);
    registrations++;
  }
  return inputsOf(root.outputs || {});
}).then(
  async () => {
    await require("@pulumi/pulumi/runtime/settings").waitForRPCs();
    process.stdout.write(JSON.stringify({
        registrations,
        maxRssBytes: process.resourceUsage().maxRSS * 1024,
        cpuMs: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000),
      }) + "\n");
  },
  (err) => {
    process.stderr.write(String(err && err.stack ? err.stack : err) + "\n");
    process.exit(1);
  },
);
