import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { DeploymentDocument, DeploymentResource, estimate, parseUsageFile, shippedPriceTable, UsageFile } from "../../cli/cost";
import { overlapMinutes } from "../../cli/cost/releases";

/**
 * Cost of release styles (docs/releases.md, "Cost"): the overlap of green beside blue during each
 * deployment, and the rollback alarms; target groups, listeners and rules are free.
 */
const prices = shippedPriceTable();
const defaults: UsageFile = parseUsageFile(fs.readFileSync(path.join(__dirname, "..", "..", "cli", "cost", "usage.default.yml"), "utf8"), "usage.default.yml");
const STACK_URN = "urn:pulumi:t::platform::pulumi:pulumi:Stack::platform-t";
function res(type: string, name: string, inputs: Record<string, unknown>, id = `${name}-id`): DeploymentResource {
  return { urn: `urn:pulumi:t::platform::${type}::${name}`, type, custom: true, id, inputs, outputs: { ...inputs, arn: id }, parent: STACK_URN };
}
function doc(...resources: DeploymentResource[]): DeploymentDocument {
  const stack: DeploymentResource = { urn: STACK_URN, type: "pulumi:pulumi:Stack", custom: false };
  return { version: 3, deployment: { resources: [stack, ...resources] } };
}
const usage = (deployments: number): UsageFile =>
  parseUsageFile(`version: 0.1\nresource_type_default_usage:\n  "aws:ecs/service:Service":\n    monthly_deployments: ${deployments}\n`, "usage.test.yml");

describe("cost: release styles", () => {
  const cases: Array<[string, Record<string, unknown> | undefined, number | undefined]> = [
    ["rolling (no strategy)", undefined, undefined],
    ["ROLLING", { strategy: "ROLLING" }, undefined],
    ["BLUE_GREEN with a 15-minute bake", { strategy: "BLUE_GREEN", bakeTimeInMinutes: "15" }, 15],
    ["CANARY 5 + 5", { strategy: "CANARY", bakeTimeInMinutes: "5", canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: "5" } }, 10],
    ["LINEAR 25% steps of 3 minutes, bake 10", { strategy: "LINEAR", bakeTimeInMinutes: "10", linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: "3" } }, 19],
  ];
  for (const [title, d, want] of cases) {
    it(`overlap minutes for ${title}: ${want ?? "none"}`, () => {
      expect(overlapMinutes(d)).to.equal(want);
    });
  }

  it("prices 20 blue/green deployments x 15 min x 2 ARM tasks of 0.5 vCPU / 1 GB as 5 vCPU-hours and 10 GB-hours, and each alarm at $0.10; the second target group, test listener and rules at nothing", () => {
    const d = doc(
      res("aws:ecs/taskDefinition:TaskDefinition", "td", { cpu: "512", memory: "1024", runtimePlatform: { cpuArchitecture: "ARM64" } }, "td-arn"),
      res("aws:ecs/service:Service", "svc", { name: "web", taskDefinition: "td-arn", desiredCount: 2, launchType: "FARGATE", deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: "15" } }),
      res("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm-5xx-blue", { period: 60 }),
      res("aws:lb/targetGroup:TargetGroup", "tg-green", {}),
      res("aws:lb/listener:Listener", "test", { port: 8443 }),
      res("aws:lb/listenerRule:ListenerRule", "test-rule", {}),
    );
    const r = estimate(d, { region: "ap-northeast-2", prices, usage: [defaults, usage(20)] });
    const svc = r.resources.find((x) => x.name === "svc")!;
    const overlap = svc.lines.filter((l) => l.description.startsWith("BLUE_GREEN overlap"));
    expect(overlap.map((l) => [l.description, l.quantity, l.unit])).to.deep.equal([
      ["BLUE_GREEN overlap vCPU (20 deployments × 15 min × 2 on-demand tasks)", 5, "vCPU-hours"],
      ["BLUE_GREEN overlap memory (20 deployments × 15 min × 2 on-demand tasks)", 10, "GB-hours"],
    ]);
    const alarm = r.resources.find((x) => x.name === "alarm-5xx-blue")!;
    expect(alarm.lines.map((l) => [l.quantity, l.unitPrice, l.monthly])).to.deep.equal([[1, 0.1, 0.1]]);
    for (const free of ["tg-green", "test", "test-rule"]) expect(r.resources.find((x) => x.name === free)?.monthly ?? 0, free).to.equal(0);
  });
});
