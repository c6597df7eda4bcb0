import { expect } from "chai";
import * as path from "path";
import { diffPreview, InputError, parsePropertyPath, parseStackInput, readStackInput } from "../../cli/input";
import { loadReplaceTable } from "../../cli/diff/table";
import { renderText } from "../../cli/diff/render";
import { SECRET_SIG, SIG_KEY } from "../../cli/evaluate/property-values";
import { asStackExport, DIFF_BASE, digestOfChanges, digestOfCreates, readPlan, withoutSames } from "../fixtures/inputs/pulumi";

/**
 * cli/input: one loader for the three formats (offline plan, `pulumi stack export`,
 * `pulumi preview --json`), and the diff made from a preview's own steps.
 */

const EXPORT = path.resolve(__dirname, "..", "fixtures", "inputs", "export-with-secrets.json");
const urnsOf = (r: { deployment: { resources?: readonly { urn: string }[] } }) =>
  (r.deployment.resources ?? []).map((x) => x.urn).sort();

describe("cli/input: recognising the format by shape", () => {
  const plan = readPlan(DIFF_BASE);

  it("with a `platform plan` document (manifest version ends in +offline-plan), reads an offline plan", () => {
    const input = parseStackInput(plan, "base.json");
    expect(input.format).to.equal("offline-plan");
    expect(input.stack).to.equal("dev");
    expect(input.notes).to.deep.equal([]);
    expect(input.preview).to.equal(undefined);
    expect(urnsOf(input.deployment)).to.deep.equal(urnsOf(plan));
  });

  it("with a stack export of the same resources, reads the same graph", () => {
    const input = parseStackInput(asStackExport(plan), "export.json");
    expect(input.format).to.equal("stack-export");
    expect(urnsOf(input.deployment)).to.deep.equal(urnsOf(plan));
    const vpc = input.deployment.deployment.resources!.find((r) => r.type === "aws:ec2/vpc:Vpc")!;
    expect(vpc.inputs).to.deep.equal(plan.deployment.resources!.find((r) => r.type === "aws:ec2/vpc:Vpc")!.inputs);
  });

  it("with a preview digest of creates, reads the newState of every step as the same graph", () => {
    const input = parseStackInput(digestOfCreates(plan), "preview.json");
    expect(input.format).to.equal("preview-digest");
    expect(urnsOf(input.deployment)).to.deep.equal(urnsOf(plan));
    expect(input.preview!.complete).to.equal(true);
    expect(input.preview!.steps.map((s) => s.op)).to.deep.equal(plan.deployment.resources!.map(() => "create"));
    // Parents, providers and dependencies before their dependants, as the policy and diff readers expect.
    const order = input.deployment.deployment.resources!.map((r) => r.urn);
    for (const r of input.deployment.deployment.resources!) if (r.parent) expect(order.indexOf(r.parent)).to.be.lessThan(order.indexOf(r.urn));
  });
});

describe("cli/input: a full `pulumi stack export` with secrets", () => {
  const input = readStackInput(EXPORT);

  it("keeps the live resources, including the children of a remote component, and drops the pending delete", () => {
    expect(input.format).to.equal("stack-export");
    expect(input.deployment.deployment.resources!.map((r) => r.type)).to.deep.equal([
      "pulumi:pulumi:Stack",
      "pulumi:providers:aws",
      "awsx:ec2:Vpc",
      "aws:ec2/vpc:Vpc",
      "aws:rds/cluster:Cluster",
    ]);
  });

  it("says once, not per resource, that its 3 ciphertext secrets in 2 resources are unknown", () => {
    expect(input.notes).to.deep.equal([
      "3 secret value(s) in 2 resource(s) are treated as unknown: the export holds only their ciphertext (exported without `--show-secrets`).",
      "1 resource(s) pending deletion in the export are left out of the stack.",
    ]);
    const db = input.deployment.deployment.resources!.find((r) => r.type === "aws:rds/cluster:Cluster")!;
    expect(db.inputs!.masterPassword).to.deep.equal({ [SIG_KEY]: SECRET_SIG, ciphertext: "v1:0m2Qd1bR7tX9yK3c:9xJ2Fq0Wv6tL1pN4aH8s==" });
  });

  it("reads a version 4 export (written when `features` are in use) as version 3 resources, with a note", () => {
    const v4 = parseStackInput({ version: 4, features: ["snippets"], deployment: { manifest: {}, resources: [{ urn: "urn:pulumi:dev::p::aws:s3/bucket:Bucket::b", custom: true, type: "aws:s3/bucket:Bucket" }] } }, "v4.json");
    expect(v4.deployment.version).to.equal(3);
    expect(v4.deployment.deployment.resources!.map((r) => r.type)).to.deep.equal(["aws:s3/bucket:Bucket"]);
    expect(v4.notes).to.deep.equal(["A version 4 deployment (features: snippets): read as version 3 resources."]);
  });

  it("takes ignoreChanges from the resource's own field (the offline plan has no such field)", () => {
    expect(input.options).to.deep.equal({ "urn:pulumi:dev::platform::aws:rds/cluster:Cluster::db": { ignoreChanges: ["engineVersion"] } });
  });
});

describe("cli/input: a preview digest with create, update, replace and delete steps", () => {
  const input = parseStackInput(digestOfChanges(), "preview.json");
  const facts = input.preview!;

  it("takes the newState of every step but deletes as the stack, and knows the deleted resource as such", () => {
    const names = input.deployment.deployment.resources!.map((r) => r.urn.split("::").pop());
    expect(names).to.include.members(["net-private-1", "db-1", "net-nat-2", "app-task"]);
    expect(names).to.not.include("logs");
    expect(facts.deleted.map((r) => r.urn.split("::").pop())).to.deep.equal(["logs"]);
    expect(facts.before.deployment.resources!.map((r) => r.urn.split("::").pop())).to.include("logs").and.not.include("net-nat-2");
  });

  it("folds the replacement triples into one replace each and reads the order off them", () => {
    const replaces = facts.steps.filter((s) => s.op === "replace").map((s) => [s.urn.split("::").pop(), s.replaceOrder]);
    expect(replaces).to.deep.equal([
      ["net-private-1", "create-before-replace"],
      ["db-1", "delete-before-replace"],
    ]);
    expect(facts.replacementSteps).to.equal(true);
  });

  it("reports the engine's operations, replace reasons and detailed diff", () => {
    const d = diffPreview(facts, { table: loadReplaceTable(), stack: "dev" });
    expect(d.summary).to.deep.equal({ create: 1, update: 1, replace: 2, delete: 1, same: 9 });
    expect(d.changes.map((c) => [c.op, c.name, c.replaceOrder ?? "", c.deleteBeforeReplace ?? false])).to.deep.equal([
      ["replace", "db-1", "delete-before-replace", true],
      ["replace", "net-private-1", "create-before-replace", false],
      ["delete", "logs", "", false],
      ["create", "net-nat-2", "", false],
      ["update", "app-task", "", false],
    ]);
    const subnet = d.changes.find((c) => c.name === "net-private-1")!;
    expect(subnet.replaceReasons).to.deep.equal(["cidrBlock"]);
    expect(subnet.properties).to.deep.equal([{ path: "cidrBlock", kind: "update-replace", old: "10.0.0.0/19", new: "10.0.9.0/24" }]);
    // No detailed diff from the provider: one change per diff reason, marked as forcing the replace.
    expect(d.changes.find((c) => c.name === "db-1")!.properties).to.deep.equal([
      { path: "clusterIdentifier", kind: "update-replace", old: "platform-dev", new: "platform-dev-2" },
    ]);
    expect(d.changes.find((c) => c.name === "app-task")!.properties).to.deep.equal([{ path: "tags.Team", kind: "add", new: "payments" }]);
    expect(d.mayReplace).to.equal(0);
    expect(d.dangers.map((x) => `${x.op} ${x.name}: ${x.reason}`)).to.deep.equal([
      "replace db-1: replace of Aurora instance: a writer or reader of the database (changed clusterIdentifier)",
      "replace net-private-1: replace of subnet: addressing; everything placed in it moves (changed cidrBlock)",
      "delete logs: delete of S3 bucket: stored objects (logs)",
    ]);
    expect(d.notes).to.deep.equal([
      "Operations are the engine's own (`pulumi preview` against the deployed state), not inferred offline.",
      "Preview warning (logs): bucket logs is not empty; forceDestroy is false",
    ]);
  });

  it("renders the replace order in the text report", () => {
    const text = renderText(diffPreview(facts, { table: loadReplaceTable(), stack: "dev" }));
    expect(text).to.include("+- aws:ec2/subnet:Subnet  net-private-1  (replace: cidrBlock; create before replace)");
    expect(text).to.include("+- aws:rds/clusterInstance:ClusterInstance  db-1  (replace: clusterIdentifier; delete before replace)");
  });

  it("without --show-replacement-steps, says the order is not known instead of guessing", () => {
    const digest = digestOfChanges();
    const logicalOnly = { ...digest, steps: digest.steps!.filter((s) => s.op !== "create-replacement" && s.op !== "delete-replaced") };
    const d = diffPreview(parseStackInput(logicalOnly, "p.json").preview!, { table: loadReplaceTable() });
    expect(d.changes.filter((c) => c.op === "replace").map((c) => c.replaceOrder)).to.deep.equal([undefined, undefined]);
    expect(d.notes).to.include(
      "The preview was run without --show-replacement-steps, so it does not say which replaces delete the old resource first.",
    );
  });

  it("without --show-sames, still gives the whole diff (unchanged counted from changeSummary)", () => {
    const partial = parseStackInput(withoutSames(digestOfChanges()), "p.json", { requireComplete: false });
    expect(partial.preview!.complete).to.equal(false);
    expect(diffPreview(partial.preview!, { table: loadReplaceTable() }).summary).to.deep.equal({ create: 1, update: 1, replace: 2, delete: 1, same: 9 });
  });

  it("fails without --show-sames when the command needs every resource, saying how to get them", () => {
    expect(() => parseStackInput(withoutSames(digestOfChanges()), "p.json")).to.throw(
      InputError,
      "p.json is a PreviewDigest that lists 6 of 14 resources (changeSummary counts 9 unchanged, 1 shown): this command needs every resource. Run `pulumi preview --json --show-sames` (add --show-replacement-steps for the replace order).",
    );
  });

  it("turns the preview's \"[secret]\" strings into unknown secrets, said once", () => {
    const plan = readPlan(DIFF_BASE);
    const digest = digestOfCreates(plan);
    const role = digest.steps!.find((s) => s.urn.endsWith("::app-task"))!;
    const withSecret = { ...digest, steps: digest.steps!.map((s) => (s === role ? { ...s, newState: { ...s.newState!, inputs: { ...s.newState!.inputs, description: "[secret]", tags: { a: "[secret]" } } } } : s)) };
    const input = parseStackInput(withSecret, "p.json");
    expect(input.notes).to.deep.equal([
      "2 secret value(s) in 1 resource(s) are treated as unknown: `pulumi preview --json` writes every secret as \"[secret]\".",
    ]);
    const r = input.deployment.deployment.resources!.find((x) => x.urn === role.urn)!;
    expect(r.inputs!.description).to.deep.equal({ [SIG_KEY]: SECRET_SIG, ciphertext: "[secret]" });
  });
});

describe("cli/input: errors name the formats expected and what was found", () => {
  const EXPECTED =
    "expected an offline plan or a `pulumi stack export` document ({\"version\": 3, \"deployment\": {…}}), or a `pulumi preview --json` PreviewDigest ({\"steps\": […], \"changeSummary\": {…}})";
  const cases: Array<{ what: string; doc: unknown; found: string }> = [
    {
      what: "an empty preview",
      doc: { changeSummary: {}, diagnostics: [{ severity: "error", message: "boom" }] },
      found: "a PreviewDigest with 0 steps (changeSummary {}) and 1 error diagnostic(s): the preview failed. Even an unchanged stack lists its root Stack step",
    },
    {
      what: "a version 2 deployment",
      doc: { version: 2, deployment: { resources: [] } },
      found: "a version 2 deployment, written by an old Pulumi CLI: re-export it with a current one (`pulumi stack export` writes version 3)",
    },
    {
      what: "a backend checkpoint",
      doc: { version: 3, checkpoint: { stack: "dev" } },
      found: "a Pulumi checkpoint (a backend's state file): run `pulumi stack export` to get the deployment",
    },
    {
      what: "an engine event log",
      doc: [{ sequence: 1, timestamp: 1, preludeEvent: {} }],
      found: "a list of engine events (`--event-log`): use `pulumi preview --json` instead",
    },
    {
      what: "a bare deployment",
      doc: { resources: [] },
      found: "a bare deployment object with no \"version\" (version must be 3): wrap it as {\"version\": 3, \"deployment\": …}, as `pulumi stack export` writes it",
    },
    { what: "something else", doc: { hello: 1 }, found: "an object with keys \"hello\"" },
  ];
  for (const c of cases) {
    it(`fails on ${c.what}`, () => {
      expect(() => parseStackInput(c.doc, "in.json")).to.throw(InputError, `in.json is not a plan this tool can read: ${EXPECTED}; found ${c.found}.`);
    });
  }

  it("fails on a step with an op Pulumi does not have, and on a replace without its new state, listing both", () => {
    const doc = {
      steps: [
        { op: "upsert", urn: "urn:pulumi:dev::p::aws:s3/bucket:Bucket::b", detailedDiff: null },
        { op: "replace", urn: "urn:pulumi:dev::p::aws:s3/bucket:Bucket::c", oldState: { urn: "urn:pulumi:dev::p::aws:s3/bucket:Bucket::c", type: "aws:s3/bucket:Bucket" }, detailedDiff: null },
      ],
    };
    expect(() => parseStackInput(doc, "in.json")).to.throw(
      InputError,
      "Invalid PreviewDigest in.json:\n - steps[0].op must be one of same, create, update, delete, replace, create-replacement, delete-replaced, read, read-replacement, refresh, discard, discard-replaced, remove-pending-replace, import, import-replacement, got \"upsert\"\n - steps[1] (replace urn:pulumi:dev::p::aws:s3/bucket:Bucket::c) has no newState",
    );
  });

  it("keeps the policy reader's per-resource messages for a version 3 document", () => {
    expect(() => parseStackInput({ version: 3, deployment: { resources: [{ urn: "x", type: "" }] } }, "in.json")).to.throw(
      "Invalid in.json:\n - deployment.resources[0].urn must be a Pulumi URN, got \"x\"\n - deployment.resources[0].type must be a type token",
    );
  });
});

describe("cli/input: Pulumi property paths of a detailed diff", () => {
  const cases: Array<[string, (string | number)[] | undefined]> = [
    ["cidrBlock", ["cidrBlock"]],
    ["tags.Name", ["tags", "Name"]],
    ["ingress[0].fromPort", ["ingress", 0, "fromPort"]],
    ['tags["a.b"]', ["tags", "a.b"]],
    ['tags["a.b"].c', ["tags", "a.b", "c"]],
    ["x[", undefined],
  ];
  for (const [p, want] of cases) it(`parses ${p}`, () => expect(parsePropertyPath(p)).to.deep.equal(want));
});
