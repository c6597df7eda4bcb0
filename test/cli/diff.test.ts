import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { DiffResult, diffDeployments, diffValues, ResourceChange, similarity } from "../../cli/diff/engine";
import { renderJson, renderMarkdown, renderText } from "../../cli/diff/render";
import { loadReplaceTable, normalizePath, replacesOnChange } from "../../cli/diff/table";
import { UNKNOWN_VALUE, UntypedDeployment } from "../../cli/plan/deployment";
import { deploymentValidator } from "../../cli/plan/schema";

/**
 * Diff classification on fixture pairs (test/fixtures/plans/diff): base.json is a small dev stack;
 * each head-*.json changes one thing.
 */
const DIR = path.join(__dirname, "..", "fixtures", "plans", "diff");
const table = loadReplaceTable();
const S = "urn:pulumi:dev::platform::";

function load(name: string): UntypedDeployment {
  return JSON.parse(fs.readFileSync(path.join(DIR, name), "utf8")) as UntypedDeployment;
}

function diff(head: string): DiffResult {
  return diffDeployments({ base: load("base.json"), head: load(head), table, baseLabel: "base.json", headLabel: head, stack: "dev" });
}

function change(d: DiffResult, urnSuffix: string): ResourceChange {
  const c = d.changes.find((x) => x.urn.endsWith(urnSuffix));
  if (!c) throw new Error(`no change for ${urnSuffix}: ${d.changes.map((x) => x.urn).join(", ")}`);
  return c;
}

describe("platform diff: fixtures", () => {
  it("the fixtures are valid deployments", () => {
    const validate = deploymentValidator();
    for (const f of fs.readdirSync(DIR)) expect(validate(load(f)), f).to.deep.equal([]);
  });

  it("with identical documents, reports no change", () => {
    const d = diff("base.json");
    expect(d.changes).to.deep.equal([]);
    expect(d.summary).to.deep.equal({ create: 0, update: 0, replace: 0, delete: 0, same: 13 });
    expect(d.dangers).to.deep.equal([]);
  });

  it("with a subnet CIDR change, replaces the subnet and, through its new id, the route table association", () => {
    const d = diff("head-subnet-cidr.json");
    expect(d.summary).to.deep.equal({ create: 0, update: 0, replace: 2, delete: 0, same: 11 });
    const subnet = change(d, "aws:ec2/subnet:Subnet::net-private-1");
    expect(subnet.op).to.equal("replace");
    expect(subnet.replaceReasons).to.deep.equal(["cidrBlock"]);
    expect(subnet.properties).to.deep.equal([
      { path: "cidrBlock", kind: "update-replace", old: "10.0.0.0/19", new: "10.0.32.0/19", replaceRule: "cidrBlock" },
    ]);
    const rta = change(d, "aws:ec2/routeTableAssociation:RouteTableAssociation::net-private-1");
    expect(rta.op).to.equal("replace");
    expect(rta.properties).to.deep.equal([
      {
        path: "subnetId",
        kind: "update-replace",
        old: "subnet-0b1c2d3e4f5061728",
        new: UNKNOWN_VALUE,
        computedFrom: subnet.urn,
        replaceRule: "subnetId",
      },
    ]);
    expect(d.dangers).to.deep.equal([
      {
        urn: subnet.urn,
        type: "aws:ec2/subnet:Subnet",
        name: "net-private-1",
        op: "replace",
        severity: "replace",
        reason: "replace of subnet: addressing; everything placed in it moves (changed cidrBlock)",
      },
    ]);
  });

  it("with an Aurora instance class change, updates in place and raises no danger", () => {
    const d = diff("head-instance-class.json");
    expect(d.summary).to.deep.equal({ create: 0, update: 1, replace: 0, delete: 0, same: 12 });
    const c = change(d, "aws:rds/clusterInstance:ClusterInstance::db-1");
    expect(c.op).to.equal("update");
    expect(c.mayReplace).to.equal(false);
    expect(c.properties).to.deep.equal([{ path: "instanceClass", kind: "update", old: "db.t4g.medium", new: "db.r6g.large" }]);
    expect(d.dangers).to.deep.equal([]);
  });

  it("with a resource added and one removed, creates and deletes; deleting the log bucket is dangerous", () => {
    const d = diff("head-create-delete.json");
    expect(d.summary).to.deep.equal({ create: 1, update: 0, replace: 0, delete: 1, same: 12 });
    expect(change(d, "aws:ec2/eip:Eip::net-nat-2").op).to.equal("create");
    const del = change(d, "aws:s3/bucket:Bucket::logs");
    expect(del.op).to.equal("delete");
    expect(d.dangers.map((x) => [x.name, x.severity, x.reason])).to.deep.equal([
      ["logs", "delete", "delete of S3 bucket: stored objects (logs)"],
    ]);
  });

  it("with a renamed logical name, deletes and creates and hints at aliases", () => {
    const d = diff("head-rename.json");
    expect(d.summary).to.deep.equal({ create: 1, update: 0, replace: 0, delete: 1, same: 12 });
    const created = change(d, "aws:iam/role:Role::app-task-role");
    const deleted = change(d, "aws:iam/role:Role::app-task");
    expect(created.renamedFrom).to.equal(`${S}aws:iam/role:Role::app-task`);
    expect(deleted.renamedTo).to.equal(`${S}aws:iam/role:Role::app-task-role`);
    expect(renderText(d)).to.contain(
      'hint: looks like app-task renamed or moved: add `aliases: [{ name: "app-task" }]` (or the old parent) to the new ' +
        "resource's options and Pulumi will update it instead of deleting and recreating it",
    );
  });

  it("with the rename declared in aliases, matches the old resource and reports no change", () => {
    const d = diff("head-rename-aliased.json");
    expect(d.summary).to.deep.equal({ create: 0, update: 0, replace: 0, delete: 0, same: 13 });
  });

  it("with any change to a protected resource, calls it out as dangerous", () => {
    const d = diff("head-protected.json");
    const c = change(d, "aws:rds/cluster:Cluster::db");
    expect([c.op, c.protect]).to.deep.equal(["update", true]);
    expect(d.dangers).to.deep.equal([
      { urn: c.urn, type: "aws:rds/cluster:Cluster", name: "db", op: "update", severity: "protected", reason: "update of a protected resource" },
    ]);
  });

  it("with an update to a type missing from the table, says it may replace", () => {
    const d = diff("head-unknown-type.json");
    const c = change(d, "aws:apigateway/restApi:RestApi::api");
    expect([c.op, c.mayReplace]).to.deep.equal(["update", true]);
    expect(d.mayReplace).to.equal(1);
    expect(renderText(d)).to.contain("1 update(s) may replace (type not in the replace table)");
  });

  it("with the provider's region changed, replaces the provider and every resource it manages", () => {
    const d = diff("head-region.json");
    expect(d.summary.replace).to.equal(11);
    expect(change(d, "pulumi:providers:aws::default_7_48_0").replaceReasons).to.deep.equal(["region"]);
    const vpc = change(d, "aws:ec2/vpc:Vpc::net-vpc");
    expect([vpc.op, vpc.providerReplaced]).to.deep.equal(["replace", true]);
    // Replacing the protected cluster is refused by `pulumi up`; the diff says so.
    expect(d.dangers.find((x) => x.name === "db" && x.severity === "protected")!.reason).to.equal(
      "replace of a protected resource: `pulumi up` will refuse until protect is removed deliberately",
    );
  });

  it("applies ignoreChanges and replaceOnChanges when the head's resource options are known", () => {
    const base = load("base.json");
    const head = load("head-instance-class.json");
    const urn = `${S}aws:rds/clusterInstance:ClusterInstance::db-1`;
    const ignored = diffDeployments({ base, head, table, baseLabel: "a", headLabel: "b", headOptions: { [urn]: { ignoreChanges: ["instanceClass"] } } });
    expect(ignored.summary.update).to.equal(0);
    const forced = diffDeployments({ base, head, table, baseLabel: "a", headLabel: "b", headOptions: { [urn]: { replaceOnChanges: ["instanceClass"] } } });
    expect(change(forced, "::db-1").op).to.equal("replace");
    expect(change(forced, "::db-1").properties[0].replaceRule).to.equal("replaceOnChanges: instanceClass");
    expect(ignored.notes).to.deep.equal([]);
  });

  it("with an input fed by a resource being created, shows the value as known only after the create", () => {
    const head = load("base.json");
    const key = { urn: `${S}aws:kms/key:Key::logs-key`, custom: true, id: "k-1", type: "aws:kms/key:Key", parent: head.deployment.resources![0].urn };
    const bucket = head.deployment.resources!.find((r) => r.urn.endsWith("::logs"))!;
    const changed = {
      ...bucket,
      inputs: { ...bucket.inputs, kmsKeyId: "arn:aws:kms:ap-northeast-2:123456789012:key/k-1" },
      propertyDependencies: { kmsKeyId: [key.urn] },
    };
    const withKey: UntypedDeployment = {
      ...head,
      deployment: { ...head.deployment, resources: [...head.deployment.resources!.filter((r) => r !== bucket), key, changed] },
    };
    const d = diffDeployments({ base: load("base.json"), head: withKey, table, baseLabel: "a", headLabel: "b" });
    expect(change(d, "::logs").properties).to.deep.equal([{ path: "kmsKeyId", kind: "add", new: UNKNOWN_VALUE, computedFrom: key.urn }]);
    expect(renderText(d)).to.contain("+ kmsKeyId: (known after logs-key is created or replaced)");
  });

  it("reports stack output changes", () => {
    const head = load("base.json");
    head.deployment.resources![0] = { ...head.deployment.resources![0], outputs: { vpcId: "vpc-new", extra: 1 } };
    const d = diffDeployments({ base: load("base.json"), head, table, baseLabel: "a", headLabel: "b" });
    expect(d.outputs).to.deep.equal([
      { key: "extra", kind: "add", new: 1 },
      { key: "vpcId", kind: "update", old: "vpc-0a1b2c3d4e5f60718", new: "vpc-new" },
    ]);
  });
});

describe("platform diff: renderings", () => {
  it("json is the DiffResult with formatVersion 1", () => {
    const d = diff("head-subnet-cidr.json");
    const parsed = JSON.parse(renderJson(d)) as DiffResult;
    expect(parsed.formatVersion).to.equal(1);
    expect(Object.keys(parsed)).to.deep.equal([
      "formatVersion",
      "stack",
      "base",
      "head",
      "summary",
      "mayReplace",
      "dangers",
      "changes",
      "outputs",
      "notes",
    ]);
    expect(parsed).to.deep.equal(JSON.parse(JSON.stringify(d)));
  });

  it("text puts dangers before changes and marks forced replacements", () => {
    const text = renderText(diff("head-subnet-cidr.json"));
    expect(text.indexOf("DANGEROUS CHANGES (1):")).to.be.lessThan(text.indexOf("Changes:"));
    expect(text).to.contain('~ cidrBlock: "10.0.0.0/19" => "10.0.32.0/19"  [forces replacement]');
    expect(text).to.contain('~ subnetId: "subnet-0b1c2d3e4f5061728" => (known after net-private-1 is created or replaced)  [forces replacement]');
    expect(text).to.contain("  0 to create, 0 to update, 2 to replace, 0 to delete, 11 unchanged");
  });

  it("md has the summary table and a diff block", () => {
    const md = renderMarkdown(diff("head-subnet-cidr.json"));
    expect(md).to.contain("| create | update | replace | delete | unchanged |\n|---:|---:|---:|---:|---:|\n| 0 | 0 | 2 | 0 | 11 |");
    expect(md).to.contain("**:warning: 1 dangerous change(s)**");
    expect(md).to.contain("```diff\n! aws:ec2/routeTableAssociation:RouteTableAssociation  net-private-1  (replace: subnetId)");
  });
});

describe("platform diff: property diff and the replace table", () => {
  it("diffs leaves with Pulumi paths", () => {
    expect(diffValues({ a: 1, tags: { Name: "x", "k.io/r": "1" }, l: [1, 2] }, { a: 2, tags: { Name: "x" }, l: [1] })).to.deep.equal([
      { path: "a", kind: "update", old: 1, new: 2 },
      { path: "l[1]", kind: "delete", old: 2 },
      { path: 'tags["k.io/r"]', kind: "delete", old: "1" },
    ]);
  });

  it("normalizes paths for rule matching", () => {
    expect(normalizePath("ebsBlockDevices[0].volumeSize")).to.equal("ebsBlockDevices.volumeSize");
    expect(normalizePath('tags["k.io/r"]')).to.equal("tags.k.io/r");
  });

  const cases: [string, string, boolean | "unknown"][] = [
    ["aws:ec2/subnet:Subnet", "cidrBlock", true],
    ["aws:ec2/subnet:Subnet", "mapPublicIpOnLaunch", false],
    ["aws:ec2/subnet:Subnet", "tags.Name", false],
    ["aws:ec2/instance:Instance", "instanceType", false],
    ["aws:ec2/instance:Instance", "rootBlockDevice.encrypted", true],
    ["aws:ec2/instance:Instance", "rootBlockDevice.volumeSize", false],
    ["aws:ec2/instance:Instance", "ebsBlockDevices[0].volumeSize", true],
    ["aws:rds/clusterInstance:ClusterInstance", "instanceClass", false],
    ["aws:rds/cluster:Cluster", "masterUsername", true],
    ["aws:ecs/taskDefinition:TaskDefinition", "containerDefinitions", true],
    ["aws:ecs/taskDefinition:TaskDefinition", "tags.Owner", false],
    ["aws:ec2/networkAclRule:NetworkAclRule", "ruleNumber", true],
    ["aws:alb/loadBalancer:LoadBalancer", "internal", true],
    ["aws:lb/loadBalancer:LoadBalancer", "subnets", false],
    ["aws:cloudfront/distribution:Distribution", "enabled", false],
    ["aws:apigateway/restApi:RestApi", "description", "unknown"],
  ];
  for (const [type, p, expected] of cases) {
    it(`with ${type}, a change to ${p} ${expected === true ? "replaces" : expected === false ? "updates in place" : "may replace"}`, () => {
      expect(replacesOnChange(table, type, p).replaces).to.equal(expected);
    });
  }

  it("applies conditional rules (Instance userData only with userDataReplaceOnChange)", () => {
    const t = "aws:ec2/instance:Instance";
    expect(replacesOnChange(table, t, "userData", { newInputs: { userDataReplaceOnChange: true } }).replaces).to.equal(true);
    expect(replacesOnChange(table, t, "userData", { newInputs: {} }).replaces).to.equal(false);
    expect(replacesOnChange(table, "aws:ec2/vpc:Vpc", "instanceTenancy", { oldValue: "dedicated", newValue: "default" }).replaces).to.equal(false);
    expect(replacesOnChange(table, "aws:ec2/vpc:Vpc", "instanceTenancy", { oldValue: "default", newValue: "dedicated" }).replaces).to.equal(true);
  });

  it("scores look-alike inputs as similar", () => {
    expect(similarity({ a: 1, b: 2 }, { a: 1, b: 2 })).to.equal(1);
    expect(similarity({ a: 1, b: 2 }, { a: 1, b: 3 })).to.equal(0.5);
  });
});
