import { expect } from "chai";
import type { DeploymentResource } from "../../cli/cost/types";
import { documentIn, res } from "../support/documents";
import { Contribution, TRAFFIC_SHIFT_PEAK_PERCENT, countStack } from "../../cli/preflight/count";

/**
 * Preflight counts of a blue/green service (docs/releases.md): its test listener, its production
 * and test rules and both target groups count against the ALB's quotas; Fargate vCPU peaks at blue
 * plus green whatever maximumPercent says.
 */
const doc = (...resources: DeploymentResource[]) => documentIn("us-east-1", ...resources);
const sum = (cs: readonly Contribution[], quota: string) => cs.filter((c) => c.quota === quota).reduce((n, c) => n + c.amount, 0);

describe("preflight counts of a blue/green service", () => {
  it("counts the test listener, both rules and both target groups against the ALB", () => {
    const forward = [{ type: "forward", forward: { targetGroups: [{ arn: "tg-blue", weight: 100 }, { arn: "tg-green", weight: 0 }] } }];
    const c = countStack(
      doc(
        res("aws:lb/loadBalancer:LoadBalancer", "alb", { loadBalancerType: "application", securityGroups: ["sg-1"], subnets: ["s1", "s2"] }, { id: "lb-arn" }),
        res("aws:lb/listener:Listener", "https", { loadBalancerArn: "lb-arn", port: 443, defaultActions: [{ type: "fixed-response" }] }, { id: "l-443" }),
        res("aws:lb/listener:Listener", "http", { loadBalancerArn: "lb-arn", port: 80 }, { id: "l-80" }),
        res("aws:lb/listener:Listener", "test", { loadBalancerArn: "lb-arn", port: 8443, defaultActions: [{ type: "fixed-response" }] }, { id: "l-8443" }),
        res("aws:lb/listenerRule:ListenerRule", "rule", { listenerArn: "l-443", actions: forward }),
        res("aws:lb/listenerRule:ListenerRule", "test-rule", { listenerArn: "l-8443", actions: forward }),
        res("aws:lb/targetGroup:TargetGroup", "blue", {}, { id: "tg-blue" }),
        res("aws:lb/targetGroup:TargetGroup", "green", {}, { id: "tg-green" }),
      ),
      "t",
    ).contributions;
    expect([sum(c, "listeners-per-alb"), sum(c, "rules-per-alb"), sum(c, "target-groups-per-alb"), sum(c, "target-groups")]).to.deep.equal([3, 2, 2, 2]);
  });

  for (const strategy of ["BLUE_GREEN", "CANARY", "LINEAR"]) {
    it(`with ${strategy}, counts blue plus green (200%) even when maximumPercent says 100`, () => {
      const td = res("aws:ecs/taskDefinition:TaskDefinition", "td", { cpu: "512", memory: "1024" }, { id: "td-arn" });
      const svc = res("aws:ecs/service:Service", "svc", { name: "web", taskDefinition: "td-arn", desiredCount: 3, deploymentMaximumPercent: 100, deploymentConfiguration: { strategy } });
      expect(sum(countStack(doc(td, svc), "t").contributions, "fargate-on-demand-vcpu")).to.equal(3); // 3 x 200% x 0.5
      expect(TRAFFIC_SHIFT_PEAK_PERCENT).to.equal(200);
    });
  }
});
