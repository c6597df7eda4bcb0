import { expect } from "chai";
import { UNKNOWN } from "../../cli/policy/deployment";
import { checkFixture, violationsOf } from "../support/policy-harness";
import { addIsolatedIgwRoute, addSgRule, prodFixture } from "./fixtures";

/**
 * During a real `pulumi preview` the ids and ARNs of resources not created yet are unknown. The
 * pack must neither fail on them nor treat them as compliant: joins go through property
 * dependencies (so unknown ids do not matter), and a value a policy needs that is unknown is
 * reported as "can't run during preview" (advisory) while everything known is still checked.
 */
describe("policies on unknown (preview) values", function () {
  this.timeout(120000);

  it("with every id and ARN unknown, the compliant fixture still passes every policy", async () => {
    const result = await checkFixture(prodFixture({ preview: true }), { config: "prod" });
    expect(result.violations).to.deep.equal([]);
  });

  it("with every id unknown, a violation found through the graph is still mandatory", async () => {
    const f = prodFixture({ preview: true });
    addIsolatedIgwRoute(f);
    const result = await checkFixture(f, { config: "prod" });
    expect(violationsOf(result, "ec2-subnet-disallow-default-route-from-isolated").map((v) => v.level)).to.deep.equal(["mandatory", "mandatory"]);
  });

  it("with a rule's CIDR unknown, the resource policy reports it cannot run (advisory) instead of passing", async () => {
    const f = prodFixture({ preview: true });
    addSgRule(f, "Ingress", "unknown-source", "prod-tasks-sg", { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: UNKNOWN });
    const result = await checkFixture(f, { config: "prod" });
    expect(violationsOf(result, "ec2-securitygroup-disallow-public-admin-ingress").map((v) => [v.level, v.message])).to.deep.equal([
      [
        "advisory",
        "can't run policy 'ec2-securitygroup-disallow-public-admin-ingress' from policy pack 'platform-policies@v0.1.0' during preview: string value at .cidrIpv4 can't be known during preview",
      ],
    ]);
  });

  it("with one rule unknown, a stack policy still reports the known violations and flags the unknown part", async () => {
    const f = prodFixture({ preview: true });
    addSgRule(f, "Ingress", "known-public", "prod-tasks-sg", { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" });
    addSgRule(f, "Ingress", "unknown-source", "prod-db-sg", { ipProtocol: "tcp", fromPort: 5433, toPort: 5433, cidrIpv4: UNKNOWN });
    const result = await checkFixture(f, { config: "prod" });
    expect(violationsOf(result, "lb-loadbalancer-require-sole-public-entry").map((v) => [v.level, v.message])).to.deep.equal([
      [
        "mandatory",
        'SecurityGroup "prod-tasks-sg" admits 0.0.0.0/0 on tcp/443 but is not a security group of an internet-facing load balancer; only the load balancer may be reachable from the internet.',
      ],
      [
        "mandatory",
        'SecurityGroup "prod-tasks-sg" of Service "prod-app-svc" admits 0.0.0.0/0 on tcp/443; tasks may admit only the load balancer\'s security group, on the container port.',
      ],
      [
        "advisory",
        "can't run policy 'lb-loadbalancer-require-sole-public-entry' from policy pack 'platform-policies@v0.1.0' during preview: string value at .cidrIpv4 can't be known during preview",
      ],
    ]);
  });

  it("with a secret only as ciphertext (a stack export without --show-secrets), treats the value as unknown", async () => {
    const f = prodFixture();
    f.update("prod-db", (i) => (i.masterUsername = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "AAABAC..." }));
    const result = await checkFixture(f, { config: "prod" });
    expect(violationsOf(result, "rds-cluster-disallow-default-master-username").map((v) => [v.level, v.message])).to.deep.equal([
      [
        "advisory",
        "can't run policy 'rds-cluster-disallow-default-master-username' from policy pack 'platform-policies@v0.1.0' during preview: string value at .masterUsername can't be known during preview",
      ],
    ]);
  });
});
