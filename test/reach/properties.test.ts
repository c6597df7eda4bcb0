import { expect } from "chai";
import fc from "fast-check";
import { Endpoint, Flow, evaluateFlow } from "../../cli/reach/evaluate";
import { NetworkModel, ReachResource, buildModel } from "../../cli/reach/model";
import { Net, basicNet } from "./fixture";

/**
 * Invariants of the evaluator, over random changes to a small network where every rule on the
 * allowed paths is needed (no rule is redundant).
 */

/** basicNet with exact ACLs and a NAT gateway: every rule on the allowed paths below is necessary. */
function tightNet(): Net {
  const n = basicNet();
  for (const name of ["acl-public-in", "acl-public-out", "acl-private-in", "acl-private-out"]) n.remove(name);
  n.add("aws:ec2/natGateway:NatGateway", "nat", "nat-1", { subnetId: "subnet-pa", connectivityType: "public" });
  n.route("private-default", "rtb-priv", "0.0.0.0/0", { natGatewayId: "nat-1" });
  n.egress("svc-https", "sg-svc", 443, { cidrIpv4: "0.0.0.0/0" });
  // public: 443 in from anywhere (clients, and the private subnets through NAT); out, 443 and
  // 1024-65535 to anywhere (the ALB's requests to the tasks ride on the latter)
  n.aclRule("pub-in-443", "acl-pub", false, 100, "0.0.0.0/0", 443, 443);
  n.aclRule("pub-in-eph", "acl-pub", false, 200, "0.0.0.0/0", 1024, 65535);
  n.aclRule("pub-out-443", "acl-pub", true, 110, "0.0.0.0/0", 443, 443);
  n.aclRule("pub-out-eph", "acl-pub", true, 200, "0.0.0.0/0", 1024, 65535);
  // private: 8080 from public, replies to it; 443 out, replies from anywhere
  n.aclRule("priv-in-8080", "acl-priv", false, 100, "10.0.0.0/24", 8080, 8080);
  // Replies to the tasks' own connections: Linux ephemeral ports only, so 8080 needs its rule.
  n.aclRule("priv-in-eph", "acl-priv", false, 200, "0.0.0.0/0", 32768, 61000);
  n.aclRule("priv-out-eph", "acl-priv", true, 100, "10.0.0.0/24", 1024, 65535);
  n.aclRule("priv-out-443", "acl-priv", true, 110, "0.0.0.0/0", 443, 443);
  return n;
}

function flows(m: NetworkModel): Array<{ name: string; flow: Flow }> {
  const node = (key: string, subnetId: string): Endpoint => ({ kind: "node", node: m.nodes.find((x) => x.key === key)!, subnetId });
  return [
    { name: "internet → alb 443", flow: { from: { kind: "internet" }, to: node("alb:alb", "subnet-pa"), port: 443 } },
    { name: "alb → svc(a) 8080", flow: { from: node("alb:alb", "subnet-pa"), to: node("service:svc", "subnet-a"), port: 8080 } },
    { name: "alb → svc(b) 8080", flow: { from: node("alb:alb", "subnet-pa"), to: node("service:svc", "subnet-b"), port: 8080 } },
    { name: "svc(b) → internet 443", flow: { from: node("service:svc", "subnet-b"), to: { kind: "internet" }, port: 443 } },
    { name: "internet → svc(a) 8080", flow: { from: { kind: "internet" }, to: node("service:svc", "subnet-a"), port: 8080 } },
    { name: "svc(a) → alb 443", flow: { from: node("service:svc", "subnet-a"), to: node("alb:alb", "subnet-pa"), port: 443 } },
  ];
}

const verdicts = (resources: readonly ReachResource[]) => {
  const m = buildModel(resources);
  return flows(m).map((f) => evaluateFlow(m, f.flow).result);
};

const cidr = fc.constantFrom("0.0.0.0/0", "10.0.0.0/16", "10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24", "10.0.0.0/25", "192.168.0.0/16");
const aclRule = fc.record({
  acl: fc.constantFrom("acl-pub", "acl-priv"),
  egress: fc.boolean(),
  ruleNumber: fc.integer({ min: 1, max: 32766 }),
  cidr,
  from: fc.integer({ min: 0, max: 65535 }),
  span: fc.integer({ min: 0, max: 70000 }),
  protocol: fc.constantFrom("tcp", "-1", "udp"),
});

describe("reach engine: properties", () => {
  it("the tight network allows exactly its intended paths (a task may call the public ALB too)", () => {
    expect(verdicts(tightNet().resources)).to.deep.equal(["allow", "allow", "allow", "allow", "deny", "allow"]);
  });

  it("adding a deny ACL rule never turns a deny into an allow (nor creates any allow)", () => {
    fc.assert(
      fc.property(aclRule, (r) => {
        const n = tightNet();
        const before = verdicts(n.resources);
        const number = n.resources.some((x) => x.props.networkAclId === r.acl && x.props.egress === r.egress && x.props.ruleNumber === r.ruleNumber) ? 32767 : r.ruleNumber;
        n.aclRule("added", r.acl, r.egress, number, r.cidr, r.from, Math.min(65535, r.from + r.span), "deny", r.protocol);
        const after = verdicts(n.resources);
        after.forEach((v, i) => {
          if (before[i] === "deny") expect(v, flows(buildModel(n.resources))[i].name).to.equal("deny");
          if (v === "allow") expect(before[i]).to.equal("allow");
        });
      }),
      { numRuns: 200 },
    );
  });

  it("adding an allow security-group rule never turns an allow into a deny", () => {
    fc.assert(
      fc.property(fc.constantFrom("sg-alb", "sg-svc"), fc.boolean(), cidr, fc.integer({ min: 0, max: 65535 }), (sg, ingress, c, port) => {
        const n = tightNet();
        const before = verdicts(n.resources);
        (ingress ? n.ingress.bind(n) : n.egress.bind(n))("added", sg, port, { cidrIpv4: c });
        const after = verdicts(n.resources);
        before.forEach((v, i) => v === "allow" && expect(after[i]).to.equal("allow"));
      }),
      { numRuns: 100 },
    );
  });

  it("removing any rule or route on an allowed path breaks that path, at that rule's ACL, group or table", () => {
    const base = tightNet();
    const m = buildModel(base.resources);
    const ruleTypes = ["networkAclRule", "SecurityGroupIngressRule", "SecurityGroupEgressRule", "ec2/route:Route"];
    const cases = flows(m).flatMap((f, i) => {
      const r = evaluateFlow(m, f.flow);
      if (r.result !== "allow") return [];
      // Every rule named on the path, and every ACL entry that decided a hop (named in its detail).
      const onPath = new Set<string>();
      for (const h of r.path) {
        if (h.urn && ruleTypes.some((t) => h.urn!.includes(t))) onPath.add(h.urn);
        for (const x of base.resources) {
          if (x.type.endsWith("networkAclRule:NetworkAclRule") && h.detail.includes(`rule ${x.props.ruleNumber} (`) && x.props.egress === h.detail.startsWith("outbound") && h.component.includes(x.props.networkAclId === "acl-pub" ? "acl-public" : "acl-private")) onPath.add(x.urn);
        }
      }
      return [...onPath].map((urn) => ({ i, urn }));
    });
    expect(cases.length).to.be.greaterThan(12);
    fc.assert(
      fc.property(fc.constantFrom(...cases), ({ i, urn }) => {
        const resources = base.resources.filter((x) => x.urn !== urn);
        expect(verdicts(resources)[i], `${flows(m)[i].name} without ${urn}`).to.equal("deny");
      }),
      { numRuns: 100 },
    );
  });

  it("is deterministic and independent of the order resources come in", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 60 }), (keys) => {
        const n = tightNet();
        const shuffled = n.resources.map((r, i) => ({ r, k: keys[i % keys.length] * 1000 + i })).sort((a, b) => a.k - b.k).map((x) => x.r);
        expect(verdicts(shuffled)).to.deep.equal(verdicts(n.resources));
      }),
      { numRuns: 50 },
    );
  });
});
