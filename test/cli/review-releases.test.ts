import { expect } from "chai";
import { DeploymentGraph } from "../../cli/cost/graph";
import type { DeploymentDocument, DeploymentResource } from "../../cli/cost/types";
import { releaseBadge } from "../../cli/review/diagram";
import { releaseStyleOf } from "../../cli/review/releases";

/** The review's Release style row and the diagram's blue/green badge, on hand-made plans. */
const STACK_URN = "urn:pulumi:t::platform::pulumi:pulumi:Stack::platform-t";
function res(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<DeploymentResource> = {}): DeploymentResource {
  return { urn: `urn:pulumi:t::platform::${type}::${name}`, type, custom: true, id: `${name}-id`, inputs, outputs: { arn: `${name}-arn` }, parent: STACK_URN, ...extra };
}
const TD = res("aws:ecs/taskDefinition:TaskDefinition", "td", { containerDefinitions: JSON.stringify([{ name: "web", stopTimeout: 45 }]) });
const BLUE = res("aws:lb/targetGroup:TargetGroup", "blue", { deregistrationDelay: 40 });
const GREEN = res("aws:lb/targetGroup:TargetGroup", "green", { deregistrationDelay: 40 });
function service(deploymentConfiguration?: Record<string, unknown>, extra: Record<string, unknown> = {}): DeploymentResource {
  return res(
    "aws:ecs/service:Service",
    "svc",
    { taskDefinition: "td-arn", loadBalancers: [{ targetGroupArn: "blue-arn" }], ...(deploymentConfiguration ? { deploymentConfiguration } : {}), ...extra },
    { dependencies: [TD.urn, BLUE.urn, ...(deploymentConfiguration ? [GREEN.urn] : [])], propertyDependencies: { taskDefinition: [TD.urn] } },
  );
}
const graphOf = (svc: DeploymentResource) => new DeploymentGraph({ version: 3, deployment: { resources: [TD, BLUE, GREEN, svc] } } as DeploymentDocument);

describe("review: release style per service", () => {
  const cases: Array<[string, Record<string, unknown> | undefined, Record<string, unknown>, string, string]> = [
    ["rolling with its percents", undefined, { deploymentMinimumHealthyPercent: 50, deploymentMaximumPercent: 100 }, "rolling 50–100%; stop 45 s, drain 40 s", ""],
    ["blue/green", { strategy: "BLUE_GREEN", bakeTimeInMinutes: "15" }, {}, "blue/green, bake 15 min; stop 45 s, drain 40 s", "<br/>blue/green · 2 target groups"],
    [
      "canary",
      { strategy: "CANARY", bakeTimeInMinutes: "5", canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: "5" } },
      {},
      "canary 10% for 5 min, bake 5 min; stop 45 s, drain 40 s",
      "<br/>canary 10% · 2 target groups",
    ],
    [
      "linear",
      { strategy: "LINEAR", bakeTimeInMinutes: "10", linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: "3" } },
      {},
      "linear 25% every 3 min, bake 10 min; stop 45 s, drain 40 s",
      "<br/>linear 25% steps · 2 target groups",
    ],
  ];
  for (const [title, d, extra, row, badge] of cases) {
    it(`with ${title}, prints "${row}" and the diagram badge "${badge}"`, () => {
      const svc = service(d, extra);
      const g = graphOf(svc);
      expect(releaseStyleOf(svc, g)).to.equal(row);
      expect(releaseBadge(g, svc)).to.equal(badge);
    });
  }
});
