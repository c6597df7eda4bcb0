import { expect } from "chai";
import fc from "fast-check";
import { contains, formatCidr, overlaps, parseCidr } from "../../../infra/network/cidr";
import { LARGEST_VPC_PREFIX_FOR_LAYOUT, MAX_AZS, planNetwork, subnetsOf } from "../../../infra/network/plan";

describe("network/plan: subnet address plan", () => {
  const cases: Array<{ vpc: string; azs: number; public: string[]; private: string[]; isolated: string[] }> = [
    {
      vpc: "10.10.0.0/16",
      azs: 2,
      public: ["10.10.128.0/21", "10.10.136.0/21"],
      private: ["10.10.0.0/19", "10.10.32.0/19"],
      isolated: ["10.10.160.0/21", "10.10.168.0/21"],
    },
    {
      vpc: "10.30.0.0/16",
      azs: 3,
      public: ["10.30.128.0/21", "10.30.136.0/21", "10.30.144.0/21"],
      private: ["10.30.0.0/19", "10.30.32.0/19", "10.30.64.0/19"],
      isolated: ["10.30.160.0/21", "10.30.168.0/21", "10.30.176.0/21"],
    },
    {
      vpc: "192.168.0.0/23",
      azs: 2,
      public: ["192.168.1.0/28", "192.168.1.16/28"],
      private: ["192.168.0.0/26", "192.168.0.64/26"],
      isolated: ["192.168.1.64/28", "192.168.1.80/28"],
    },
  ];
  for (const c of cases) {
    it(`with ${c.vpc} across ${c.azs} AZs, lays out the documented subnets`, () => {
      const plan = planNetwork(c.vpc, c.azs);
      expect(subnetsOf(plan, "public").map((s) => s.cidr)).to.deep.equal(c.public);
      expect(subnetsOf(plan, "private").map((s) => s.cidr)).to.deep.equal(c.private);
      expect(subnetsOf(plan, "isolated").map((s) => s.cidr)).to.deep.equal(c.isolated);
    });
  }

  it("gives each tier one contiguous block: private half, public and isolated an eighth each", () => {
    expect(planNetwork("10.10.0.0/16", 2).tierCidrs).to.deep.equal({
      public: "10.10.128.0/19",
      private: "10.10.0.0/17",
      isolated: "10.10.160.0/19",
    });
  });

  it("fails on a VPC smaller than the layout needs", () => {
    expect(() => planNetwork("10.0.0.0/24", 2)).to.throw("planNetwork: 10.0.0.0/24 is too small; the layout needs /23 or larger");
    expect(LARGEST_VPC_PREFIX_FOR_LAYOUT).to.equal(23);
  });

  // Property tests over arbitrary RFC 1918 /16–/23 VPCs and 1–4 AZs.
  const vpcArb = fc
    .record({ a: fc.integer({ min: 0, max: 255 }), b: fc.integer({ min: 0, max: 255 }), prefix: fc.integer({ min: 16, max: 23 }) })
    .map(({ a, b, prefix }) => {
      const base = (10 * 2 ** 24 + a * 2 ** 16 + b * 2 ** 8) - ((10 * 2 ** 24 + a * 2 ** 16 + b * 2 ** 8) % 2 ** (32 - prefix));
      return formatCidr({ base, prefix });
    });
  const azArb = fc.integer({ min: 1, max: MAX_AZS });

  it("every subnet lies inside the VPC and inside its tier's block", () => {
    fc.assert(
      fc.property(vpcArb, azArb, (vpc, azs) => {
        const plan = planNetwork(vpc, azs);
        for (const s of plan.subnets) {
          expect(contains(parseCidr(vpc)!, parseCidr(s.cidr)!)).to.equal(true);
          expect(contains(parseCidr(plan.tierCidrs[s.tier])!, parseCidr(s.cidr)!)).to.equal(true);
        }
      }),
    );
  });

  it("no two subnets overlap, and no two tier blocks overlap", () => {
    fc.assert(
      fc.property(vpcArb, azArb, (vpc, azs) => {
        const plan = planNetwork(vpc, azs);
        const all = plan.subnets.map((s) => parseCidr(s.cidr)!);
        for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) expect(overlaps(all[i], all[j])).to.equal(false);
        const blocks = Object.values(plan.tierCidrs).map((c) => parseCidr(c)!);
        for (let i = 0; i < blocks.length; i++) for (let j = i + 1; j < blocks.length; j++) expect(overlaps(blocks[i], blocks[j])).to.equal(false);
      }),
    );
  });

  it("is deterministic", () => {
    fc.assert(
      fc.property(vpcArb, azArb, (vpc, azs) => {
        expect(planNetwork(vpc, azs)).to.deep.equal(planNetwork(vpc, azs));
      }),
    );
  });

  it("is stable: adding an AZ never renumbers an existing subnet, and tier blocks do not move", () => {
    fc.assert(
      fc.property(vpcArb, fc.integer({ min: 1, max: MAX_AZS - 1 }), (vpc, azs) => {
        const before = planNetwork(vpc, azs);
        const after = planNetwork(vpc, azs + 1);
        for (const s of before.subnets) {
          const same = after.subnets.find((t) => t.tier === s.tier && t.azIndex === s.azIndex);
          expect(same?.cidr).to.equal(s.cidr);
        }
        expect(after.tierCidrs).to.deep.equal(before.tierCidrs);
      }),
    );
  });

  it("leaves the last quarter of the VPC free for a future tier", () => {
    fc.assert(
      fc.property(vpcArb, (vpc) => {
        const v = parseCidr(vpc)!;
        const reserved = { base: v.base + (3 * 2 ** (32 - v.prefix)) / 4, prefix: v.prefix + 2 };
        for (const s of planNetwork(vpc, MAX_AZS).subnets) expect(overlaps(reserved, parseCidr(s.cidr)!)).to.equal(false);
      }),
    );
  });
});

describe("network/cidr", () => {
  const malformed = ["10.0.0.0", "10.0.0.0/33", "10.0.0.256/16", "10.0.0.1/16", "a.b.c.d/8", "10.0.0.0/16 ", ""];
  for (const text of malformed) {
    it(`fails to parse ${JSON.stringify(text)}`, () => expect(parseCidr(text)).to.equal(undefined));
  }
  it("round-trips a CIDR", () => expect(formatCidr(parseCidr("172.16.32.0/20")!)).to.equal("172.16.32.0/20"));
});
