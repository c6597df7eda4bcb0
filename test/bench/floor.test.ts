import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { serializeDeployment } from "../../cli/plan/deployment";
import { StackPlan } from "../../cli/plan/planner";
import { shippedPlan } from "../support/plans";

/**
 * The benchmark's floor (bench/floor.js) must register exactly the resources of the plan it is
 * given, or the ratio in BENCHMARKS.md compares different work; bench/declared-properties.js must
 * report the property sets the @pulumi/aws classes really declare.
 */
const BENCH = path.join(__dirname, "..", "..", "bench");

function node(script: string, ...args: string[]): string {
  const r = spawnSync(process.execPath, [path.join(BENCH, script), ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${script} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

describe("benchmark floor", function () {
  this.timeout(120_000);
  let dir: string;
  let plan: StackPlan;
  let planFile: string;
  let declaredFile: string;
  let declared: Record<string, string[]>;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-floor-"));
    plan = await shippedPlan("shared");
    planFile = path.join(dir, "shared.json");
    fs.writeFileSync(planFile, serializeDeployment(plan.deployment));
    declaredFile = path.join(dir, "declared.json");
    fs.writeFileSync(declaredFile, node("declared-properties.js", planFile));
    declared = JSON.parse(fs.readFileSync(declaredFile, "utf8")) as Record<string, string[]>;
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("registers every resource the program registered, with inputs only or with the declared properties", () => {
    const inputsOnly = JSON.parse(node("floor.js", planFile)) as { registrations: number };
    const withDeclared = JSON.parse(node("floor.js", planFile, declaredFile)) as { registrations: number };
    expect(inputsOnly.registrations).to.equal(plan.stats.registrations);
    expect(withDeclared.registrations).to.equal(plan.stats.registrations);
  });

  it("lists the properties each @pulumi/aws class declares: a superset of the inputs the program gave it", () => {
    const resources = plan.deployment.deployment.resources ?? [];
    const awsTypes = [...new Set(resources.filter((r) => r.custom && r.type.startsWith("aws:")).map((r) => r.type))].sort();
    expect(Object.keys(declared)).to.deep.equal(awsTypes);
    expect(declared["aws:ec2/vpc:Vpc"]).to.include.members(["arn", "cidrBlock", "enableDnsHostnames", "mainRouteTableId", "tagsAll"]);
    for (const r of resources) {
      if (!r.custom || !r.type.startsWith("aws:")) continue;
      expect(declared[r.type], r.urn).to.include.members(Object.keys(r.inputs ?? {}));
    }
  });
});
