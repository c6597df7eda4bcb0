import { expect } from "chai";
import { shippedArchitecture } from "../../cli/reach/architecture";
import { architectureFromPlan } from "../../cli/reach/from-plan";
import { IntentResult, checkIntents } from "../../cli/reach/intents";
import { ReachResource, buildModel } from "../../cli/reach/model";
import { find, mutate, shippedResources } from "./shipped";

/**
 * Test listeners of blue/green and canary services (docs/releases.md): the internet never reaches
 * them, the office ranges do, and the plan-derived architecture (the policy pack's view) finds
 * them through the service's advancedConfiguration.testListenerRule.
 */
const INGRESS = "vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const run = (stack: string, resources: readonly ReachResource[], arch = shippedArchitecture(stack)): IntentResult[] => checkIntents(buildModel(resources), arch);

describe("platform reach: test listeners (prod blueGreen, staging canary)", function () {
  this.timeout(300000);
  let prod: ReachResource[];
  before(async () => {
    prod = await shippedResources("prod");
  });

  it("prod: denies the internet the test listener port 8443 in every ALB AZ, at the ALB's security group", () => {
    const got = run("prod", prod).filter((r) => r.id.startsWith("deny:internet>test-listener/hello:8443:"));
    expect(got.map((r) => [r.to.az, r.holds, r.result])).to.deep.equal([
      ["ap-northeast-2a", true, "deny"],
      ["ap-northeast-2b", true, "deny"],
      ["ap-northeast-2c", true, "deny"],
    ]);
    expect(new Set(got.map((r) => r.blockedBy?.urn))).to.deep.equal(new Set([find(prod, "ec2/securityGroup:SecurityGroup", "prod-alb-sg").urn]));
  });

  it("fails when the test listener's rule admits 0.0.0.0/0: the internet reaches the unreleased revision in all three AZs", () => {
    const open = mutate(prod, INGRESS, "prod-svc-hello-test-in-1", { cidrIpv4: "0.0.0.0/0" });
    const broken = run("prod", open).filter((r) => !r.holds);
    expect(broken.map((r) => r.id)).to.deep.equal([
      "deny:internet>test-listener/hello:8443:internet>ap-northeast-2a",
      "deny:internet>test-listener/hello:8443:internet>ap-northeast-2b",
      "deny:internet>test-listener/hello:8443:internet>ap-northeast-2c",
    ]);
  });

  it("with an office range admitted, the office reaches the test listener in every AZ and the internet still does not", () => {
    const office = mutate(prod, INGRESS, "prod-svc-hello-test-in-1", { cidrIpv4: "203.0.113.0/24" });
    const arch = { ...shippedArchitecture("prod"), testListeners: [{ service: "hello", port: 8443, officeCidrs: ["203.0.113.0/24"] }] };
    const got = run("prod", office, arch).filter((r) => r.id.includes("test-listener/"));
    expect(got.map((r) => [r.id, r.holds])).to.deep.equal([
      ["allow:office>test-listener/hello:8443:203.0.113.0/24>ap-northeast-2a", true],
      ["allow:office>test-listener/hello:8443:203.0.113.0/24>ap-northeast-2b", true],
      ["allow:office>test-listener/hello:8443:203.0.113.0/24>ap-northeast-2c", true],
      ["deny:internet>test-listener/hello:8443:internet>ap-northeast-2a", true],
      ["deny:internet>test-listener/hello:8443:internet>ap-northeast-2b", true],
      ["deny:internet>test-listener/hello:8443:internet>ap-northeast-2c", true],
    ]);
  });

  it("reads the test listener back from the plan (the pack's view): port 8443 of hello, out of the public listener ports", () => {
    const office = mutate(prod, INGRESS, "prod-svc-hello-test-in-1", { cidrIpv4: "203.0.113.0/24" });
    for (const [resources, officeCidrs] of [
      [prod, []],
      [office, ["203.0.113.0/24"]],
    ] as const) {
      const arch = architectureFromPlan("prod", buildModel(resources), resources);
      expect(arch.testListeners).to.deep.equal([{ service: "hello", port: 8443, officeCidrs }]);
      expect([...arch.listenerPorts].sort((a, b) => a - b)).to.deep.equal([80, 443]);
    }
  });

  it("config and plan agree: the shipped architectures list exactly staging's and prod's hello test listener", () => {
    expect(["dev", "staging", "prod"].map((s) => shippedArchitecture(s).testListeners ?? [])).to.deep.equal([
      [],
      [{ service: "hello", port: 8443, officeCidrs: [] }],
      [{ service: "hello", port: 8443, officeCidrs: [] }],
    ]);
  });
});
