"use strict";
// For `npm run bench`: the property names each @pulumi/aws resource class declares, per type in a
// plan. A program's `new aws.ec2.Vpc(...)` hands the SDK every declared property (inputs it was not
// given and outputs as undefined), and the SDK builds an Output, with four promises that each capture a
// stack trace, for every one of them. bench/floor.js registers inputs only; with this map it can
// also register the same property set, which separates the SDK's cost of these classes from
// everything else the plan does.
//
// Usage: node bench/declared-properties.js <plan.json>...   prints {"<type>": ["prop", ...], ...}
const fs = require("fs");
const pulumi = require("@pulumi/pulumi");

pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.id || `${a.name}-id`, state: {} }), call: () => ({}) }, "bench", "bench", false);
const aws = require("@pulumi/aws");

const types = new Set();
for (const file of process.argv.slice(2)) {
  for (const r of JSON.parse(fs.readFileSync(file, "utf8")).deployment.resources || []) {
    if (r.custom && r.type.startsWith("aws:")) types.add(r.type);
  }
}

const declared = {};
for (const type of [...types].sort()) {
  // aws:ec2/vpc:Vpc -> aws.ec2.Vpc
  const [, mod, cls] = type.split(":");
  const Class = aws[mod.split("/")[0]] && aws[mod.split("/")[0]][cls];
  if (typeof Class !== "function" || typeof Class.get !== "function") throw new Error(`no @pulumi/aws class for ${type}`);
  // The state form (Class.get) sets every declared property, as the create form does.
  const res = Class.get("probe", "probe-id");
  declared[type] = Object.keys(res).filter((k) => k !== "urn" && k !== "id" && pulumi.Output.isInstance(res[k])).sort();
}
process.stdout.write(JSON.stringify(declared) + "\n");
