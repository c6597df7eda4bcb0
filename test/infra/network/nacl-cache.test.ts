import { expect } from "chai";
import fc from "fast-check";
import { CACHE_PORT } from "../../../infra/cache/plan";
import { contains, parseCidr } from "../../../infra/network/cidr";
import { EPHEMERAL_FROM, NaclIntent, NaclRule, planNaclRules, ruleCovers } from "../../../infra/network/nacl";
import { planNetwork } from "../../../infra/network/plan";

const plan = planNetwork("10.10.0.0/16", 3);
const base: NaclIntent = {
  vpcCidr: "10.10.0.0/16",
  tierCidrs: plan.tierCidrs,
  servicePorts: [8080],
  databasePort: 5432,
  managementCidrs: ["10.0.0.0/16"],
  sshSourceCidrs: ["203.0.113.0/24"],
};
const withCache: NaclIntent = { ...base, cachePort: CACHE_PORT };

const covering = (rules: NaclRule[], tier: string, egress: boolean, cidr: string, port: number) =>
  rules.filter((r) => r.tier === tier && r.egress === egress && r.action === "allow" && ruleCovers(r, port) && contains(parseCidr(r.cidrBlock)!, parseCidr(cidr)!));

describe("network/nacl: the session store's port (platform:cache)", () => {
  it("without a cache, no rule mentions 6379", () => {
    expect(planNaclRules(base).filter((r) => r.fromPort === CACHE_PORT || r.toPort === CACHE_PORT)).to.deep.equal([]);
  });

  it("with a cache, the private tier sends 6379 to the isolated tier (out 120) and the isolated tier admits it from the private tier (in 120)", () => {
    const rules = planNaclRules(withCache).filter((r) => r.purpose === "cache");
    expect(rules).to.deep.equal([
      { tier: "private", egress: true, ruleNumber: 120, protocol: "tcp", action: "allow", cidrBlock: plan.tierCidrs.isolated, fromPort: 6379, toPort: 6379, purpose: "cache" },
      { tier: "isolated", egress: false, ruleNumber: 120, protocol: "tcp", action: "allow", cidrBlock: plan.tierCidrs.private, fromPort: 6379, toPort: 6379, purpose: "cache" },
    ]);
  });

  it("admits 6379 neither from the public tier (a bastion there) nor from the management VPC", () => {
    const rules = planNaclRules(withCache);
    expect(covering(rules, "isolated", false, plan.tierCidrs.public, CACHE_PORT)).to.deep.equal([]);
    expect(covering(rules, "isolated", false, "10.0.0.0/16", CACHE_PORT)).to.deep.equal([]);
  });

  it("adds only the two cache rules: every other rule is unchanged", () => {
    const before = planNaclRules(base);
    const after = planNaclRules(withCache).filter((r) => r.purpose !== "cache");
    expect(after).to.deep.equal(before);
  });

  it("property: a task in any private subnet reaches the cache in any isolated subnet (AZ a to AZ b too), and the reply comes back", () => {
    const priv = plan.subnets.filter((s) => s.tier === "private");
    const iso = plan.subnets.filter((s) => s.tier === "isolated");
    const rules = planNaclRules(withCache);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: priv.length - 1 }), fc.integer({ min: 0, max: iso.length - 1 }), fc.integer({ min: EPHEMERAL_FROM, max: 65535 }), (i, j, ephemeral) => {
        const task = priv[i].cidr;
        const node = iso[j].cidr;
        // Request: out of the task's subnet, into the node's subnet, on 6379.
        expect(covering(rules, "private", true, node, CACHE_PORT)).to.have.length.greaterThan(0);
        expect(covering(rules, "isolated", false, task, CACHE_PORT)).to.have.length.greaterThan(0);
        // Reply: from the node's subnet back to the task's ephemeral port.
        expect(covering(rules, "isolated", true, task, ephemeral)).to.have.length.greaterThan(0);
        expect(covering(rules, "private", false, node, ephemeral)).to.have.length.greaterThan(0);
      }),
    );
  });
});
