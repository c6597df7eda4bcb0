import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type * as sarif from "sarif";
import { UsageError, check, command, parseCheckArgs } from "../../cli/commands/check";
import { JsonReport } from "../../cli/policy/report";
import { policyPack } from "../support/policy-harness";
import { prodFixture } from "../policies/fixtures";
import { captureOutput } from "../support/capture";

function writePlan(doc: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-check-"));
  const file = path.join(dir, "plan.json");
  fs.writeFileSync(file, JSON.stringify(doc));
  return file;
}

function withOpenSsh() {
  const f = prodFixture();
  f.add("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "ssh-from-anywhere", {
    securityGroupId: f.get("prod-tasks-sg").id, ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0", description: "debug",
  });
  return f;
}

describe("platform check: arguments", () => {
  const cases: Array<{ argv: string[]; error: string }> = [
    { argv: [], error: "missing <stack>" },
    { argv: ["prod", "dev"], error: "expected one stack, got prod dev" },
    { argv: ["prod", "--format", "xml"], error: '--format must be one of text, json, sarif (got "xml")' },
    { argv: ["prod", "--frmat", "json"], error: "unknown option --frmat" },
    { argv: ["prod", "--plan"], error: "--plan needs a value" },
  ];
  for (const c of cases) {
    it(`fails on ${JSON.stringify(c.argv)} with "${c.error}"`, () => {
      expect(() => parseCheckArgs(c.argv)).to.throw(UsageError, c.error);
    });
  }

  it("with every option, parses stack, plan, format, config and output", () => {
    expect(parseCheckArgs(["prod", "--plan=p.json", "--format", "sarif", "--policy-pack-config", "c.json", "--output", "o.sarif"])).to.deep.equal({
      stack: "prod", plan: "p.json", format: "sarif", policyPackConfig: "c.json", output: "o.sarif",
    });
  });
});

describe("platform check: reports over a deployment document (--plan)", function () {
  this.timeout(180000);

  it("with the compliant fixture, reports no violation in JSON", async () => {
    const { output } = await check({ stack: "prod", plan: writePlan(prodFixture().build()), format: "json" }, { session: await policyPack() });
    const report = JSON.parse(output) as JsonReport;
    expect(report).to.deep.equal({ stack: "prod", policyPack: { name: "platform-policies", version: "0.1.0" }, violations: [], mandatory: 0, advisory: 0 });
  });

  it("with SSH open to the world, lists the mandatory violations with policy, level, URN and message", async () => {
    const { output } = await check({ stack: "prod", plan: writePlan(withOpenSsh().build()), format: "json" }, { session: await policyPack() });
    const report = JSON.parse(output) as JsonReport;
    const urn = "urn:pulumi:prod::platform::aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::ssh-from-anywhere";
    expect(report.violations.filter((v) => v.policy === "ec2-securitygroup-disallow-public-admin-ingress")).to.deep.equal([
      {
        policy: "ec2-securitygroup-disallow-public-admin-ingress",
        level: "mandatory",
        urn,
        message: "Ingress from 0.0.0.0/0 on tcp/22 opens admin port 22 to the internet; restrict the source to known admin CIDRs or use Session Manager instead.",
      },
    ]);
    expect(report.mandatory).to.equal(report.violations.filter((v) => v.level === "mandatory").length);
    expect(report.advisory).to.equal(0);
  });

  it("with --format sarif, writes SARIF 2.1.0 that code scanning accepts: rules = policies, located results with levels", async () => {
    const { output, result } = await check({ stack: "prod", plan: writePlan(withOpenSsh().build()), format: "sarif" }, { session: await policyPack() });
    const log = JSON.parse(output) as sarif.Log;
    expect(log.version).to.equal("2.1.0");
    expect(log.$schema).to.equal("https://json.schemastore.org/sarif-2.1.0.json");
    expect(log.runs).to.have.length(1);
    const run = log.runs[0];
    const rules = run.tool.driver.rules ?? [];
    expect(rules.map((r) => r.id)).to.deep.equal(result.policies.map((p) => p.name));
    expect(run.automationDetails?.id).to.equal("platform-check/prod/");
    const results = run.results ?? [];
    expect(results).to.have.length(result.violations.length);
    for (const r of results) {
      expect(["error", "warning"]).to.include(r.level);
      expect(rules[r.ruleIndex ?? -1].id).to.equal(r.ruleId);
      expect(r.message.text).to.be.a("string").and.not.equal("");
      const loc = r.locations?.[0];
      expect(loc?.physicalLocation?.artifactLocation?.uri).to.equal("environments/Pulumi.prod.yaml");
      expect(loc?.physicalLocation?.region?.startLine).to.equal(1);
      expect(r.partialFingerprints?.["platformPolicyViolation/v1"]).to.match(/^[0-9a-f]{32}$/);
    }
    const ssh = results.find((r) => r.ruleId === "ec2-securitygroup-disallow-public-admin-ingress");
    expect(ssh?.level).to.equal("error");
    expect(ssh?.locations?.[0].logicalLocations?.[0].fullyQualifiedName).to.equal(
      "urn:pulumi:prod::platform::aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::ssh-from-anywhere",
    );
    const severity = rules.find((r) => r.id === "ec2-securitygroup-disallow-public-admin-ingress")?.properties?.["security-severity"];
    expect(severity).to.equal("9.5");
  });

  it("with --format text, ends with the counts", async () => {
    const { output } = await check({ stack: "prod", plan: writePlan(withOpenSsh().build()), format: "text" }, { session: await policyPack() });
    expect(output.split("\n")[0]).to.match(/^platform check prod: platform-policies@0\.1\.0, \d+ policies, \d+ resources$/);
    expect(output).to.match(/\n\d+ mandatory, 0 advisory violations — fix the mandatory ones to pass\.\n$/);
  });
});

describe("platform check: exit codes", function () {
  this.timeout(180000);

  it("exits 1 when a mandatory violation exists, and writes the report to --output", async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "platform-check-")), "report.json");
    const { value } = await captureOutput(() => command.run(["prod", "--plan", writePlan(withOpenSsh().build()), "--format", "json", "--output", out]));
    expect(value).to.equal(1);
    expect((JSON.parse(fs.readFileSync(out, "utf8")) as JsonReport).mandatory).to.be.greaterThan(0);
  });

  it("exits 2 on a usage error", async () => {
    const { value, stderr } = await captureOutput(() => command.run(["prod", "--format", "xml"]));
    expect(value).to.equal(2);
    expect(stderr).to.contain('--format must be one of text, json, sarif (got "xml")');
  });

  it("exits 2 on a file that is not a deployment document", async () => {
    const { value, stderr } = await captureOutput(() => command.run(["prod", "--plan", writePlan({ resources: [] })]));
    expect(value).to.equal(2);
    expect(stderr).to.contain("version must be 3");
  });

  it("exits 2 on a policy config that names a policy the pack does not have", async () => {
    const cfg = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "platform-check-")), "bad.json");
    fs.writeFileSync(cfg, JSON.stringify({ all: "mandatory", "ec2-subnet-dissallow-public-ip": "advisory" }));
    const { value, stderr } = await captureOutput(() => command.run(["prod", "--plan", writePlan(prodFixture().build()), "--policy-pack-config", cfg]));
    expect(value).to.equal(2);
    expect(stderr).to.contain("Policy config names policies that platform-policies@0.1.0 does not define: ec2-subnet-dissallow-public-ip");
  });

  it("exits 0 on the compliant fixture", async () => {
    const { value } = await captureOutput(() => command.run(["prod", "--plan", writePlan(prodFixture().build()), "--format", "json"]));
    expect(value).to.equal(0);
  });
});
