import { expect } from "chai";
import { shippedArchitecture } from "../../cli/reach/architecture";
import { architectureFromPlan } from "../../cli/reach/from-plan";
import { IntentResult, checkIntents } from "../../cli/reach/intents";
import { ReachResource, buildModel } from "../../cli/reach/model";
import { find, mutate, shippedResources } from "./shipped";

/**
 * The session store (docs/cache.md) in the reachability engine: the replication group is a node of
 * the isolated tier; services with `cache: true` reach it from every task AZ to every node AZ, and
 * nothing else does.
 */

const holds = (rs: readonly IntentResult[], prefix: string) => rs.filter((r) => r.id.startsWith(prefix));

describe("reach over the shipped stacks: the session store", function () {
  this.timeout(300000);
  const resources = new Map<string, ReachResource[]>();
  before(async () => {
    for (const stack of ["dev", "staging", "prod"]) resources.set(stack, await shippedResources(stack));
  });
  const check = (stack: string, rs: readonly ReachResource[] = resources.get(stack)!) => checkIntents(buildModel(rs), shippedArchitecture(stack));

  it("places the cache in the isolated subnets, behind its own group, on 6379, never public", () => {
    for (const stack of ["dev", "staging", "prod"]) {
      const rs = resources.get(stack)!;
      const node = buildModel(rs).nodes.find((n) => n.kind === "cache")!;
      expect(node.urn, stack).to.equal(find(rs, "elasticache/replicationGroup:ReplicationGroup", `${stack}-cache-group`).urn);
      const isolated = rs
        .filter((r) => r.type === "aws:ec2/subnet:Subnet" && r.urn.startsWith(`urn:pulumi:${stack}::`) && (r.props.tags as Record<string, string>).Tier === "isolated")
        .map((r) => r.id);
      expect(node.subnetIds, stack).to.deep.equal(isolated);
      expect(node.securityGroupIds, stack).to.deep.equal([find(rs, "ec2/securityGroup:SecurityGroup", `${stack}-cache-sg`).id]);
      expect(node.ports).to.deep.equal([6379]);
      expect(node.publicIp).to.equal(false);
    }
  });

  it("hello (cache: true) reaches the cache in every AZ pair: dev 2 × 2, staging and prod 3 × 3, all holding", () => {
    const counts = Object.fromEntries(["dev", "staging", "prod"].map((s) => [s, holds(check(s), "allow:service/hello>cache").map((r) => r.holds)]));
    expect(counts).to.deep.equal({ dev: Array(4).fill(true), staging: Array(9).fill(true), prod: Array(9).fill(true) });
  });

  it("nothing else reaches it: internet, ALB, the bootstrap task, the management bastion and the other environments are denied (prod)", () => {
    const denied = check("prod").filter((r) => r.port === 6379 && r.expect === "deny");
    expect([...new Set(denied.map((r) => r.id.split(":").slice(0, 2).join(":")))]).to.deep.equal([
      "deny:service/hello>dev/isolated",
      "deny:service/hello>staging/isolated",
      "deny:internet>cache",
      "deny:alb>cache",
      "deny:task/db-bootstrap>cache",
      "deny:management-bastion>cache",
    ]);
    expect(denied.filter((r) => !r.holds)).to.deep.equal([]);
  });

  it("breaks the service → cache intent at the cache's group when hello's ingress rule is gone", () => {
    const rs = mutate(resources.get("prod")!, "vpc/securityGroupIngressRule:SecurityGroupIngressRule", "prod-svc-hello-cache-in", "remove");
    const broken = holds(check("prod", rs), "allow:service/hello>cache").filter((r) => !r.holds);
    expect(broken).to.have.length(9);
    expect(broken[0].blockedBy?.detail).to.match(/prod-cache-sg/);
  });

  it("breaks it at the isolated NACL when its cache rule (in 120) is gone, in every AZ pair", () => {
    const rs = mutate(resources.get("staging")!, "ec2/networkAclRule:NetworkAclRule", "staging-isolated-in-120", "remove");
    const broken = holds(check("staging", rs), "allow:service/hello>cache").filter((r) => !r.holds);
    expect(broken).to.have.length(9);
    expect(broken.every((r) => r.blockedBy?.urn.endsWith("staging-isolated-in-120") || /isolated/.test(r.blockedBy?.detail ?? "") || /isolated/.test(r.blockedBy?.urn ?? ""))).to.equal(true);
  });

  it("a service the plan shows without cache use (no CACHE_HOST, no rule) gets a deny intent, which holds", () => {
    const base = resources.get("dev")!;
    const td = find(base, "ecs/taskDefinition:TaskDefinition", "dev-svc-hello-taskdef");
    const defs = String(td.props.containerDefinitions).replace(/"CACHE_HOST"/g, '"NO_CACHE"');
    let rs = mutate(base, "ecs/taskDefinition:TaskDefinition", "dev-svc-hello-taskdef", { containerDefinitions: defs });
    rs = mutate(rs, "vpc/securityGroupIngressRule:SecurityGroupIngressRule", "dev-svc-hello-cache-in", "remove");
    const model = buildModel(rs);
    const arch = architectureFromPlan("dev", model, rs);
    expect(arch.services.map((s) => [s.name, s.cache])).to.deep.equal([["hello", false]]);
    const results = checkIntents(model, arch);
    expect(holds(results, "allow:service/hello>cache")).to.deep.equal([]);
    const deny = holds(results, "deny:service/hello>cache");
    expect(deny.map((r) => r.holds)).to.deep.equal([true, true]);
  });

  it("reads cache use back from the plan (CACHE_HOST in hello's task definition) for stacks it does not ship", () => {
    const rs = resources.get("staging")!;
    const arch = architectureFromPlan("staging", buildModel(rs), rs);
    expect(arch.cachePort).to.equal(6379);
    expect(arch.services.map((s) => [s.name, s.cache])).to.deep.equal([["hello", true]]);
  });
});
