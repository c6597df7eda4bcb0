import { expect } from "chai";
import * as fc from "fast-check";
import { contains, parseCidr } from "../../../infra/network/cidr";
import { NaclRule, planNaclRules } from "../../../infra/network/nacl";
import { TIERS, Tier, planNetwork } from "../../../infra/network/plan";
import {
  DEFAULT_MANAGEMENT_TIERS,
  DEFAULT_MANAGEMENT_TO,
  DEFAULT_TO_MANAGEMENT,
  DEFAULT_TO_MANAGEMENT_PORTS,
  MANAGEMENT_SIDE_TIERS,
  MANAGEMENT_TO_TIERS,
  TO_MANAGEMENT_TIERS,
} from "../../../infra/peering/config";
import { PeeringIntent, canReferencePeerSecurityGroups, peeringMode, planPeering, slotRange } from "../../../infra/peering/plan";

const MGMT = { vpcCidr: "10.0.0.0/16", tierCidrs: planNetwork("10.0.0.0/16", 2).tierCidrs };
const DEV = { vpcCidr: "10.10.0.0/16", tierCidrs: planNetwork("10.10.0.0/16", 2).tierCidrs };

const intent = (over: Partial<PeeringIntent> = {}): PeeringIntent => ({
  environment: DEV,
  management: MGMT,
  managementTo: DEFAULT_MANAGEMENT_TO,
  toManagement: DEFAULT_TO_MANAGEMENT,
  managementTiers: DEFAULT_MANAGEMENT_TIERS,
  toManagementPorts: DEFAULT_TO_MANAGEMENT_PORTS,
  servicePorts: [],
  databasePort: 5432,
  ruleSlot: 1,
  ...over,
});

const r = (tier: Tier, egress: boolean, ruleNumber: number, cidrBlock: string, fromPort: number, toPort: number, purpose: string): NaclRule => ({
  tier,
  egress,
  ruleNumber,
  protocol: "tcp",
  action: "allow",
  cidrBlock,
  fromPort,
  toPort,
  purpose,
});

const subset = <T>(all: readonly T[]) => fc.subarray([...all]);

describe("peering plan (pure)", () => {
  it("with the defaults, routes the management CIDR from the env's private and isolated tables and the env CIDR from management's private tables", () => {
    const plan = planPeering(intent());
    expect(plan.environmentRoutes).to.deep.equal([
      { tier: "private", destinationCidrBlock: "10.0.0.0/16" },
      { tier: "isolated", destinationCidrBlock: "10.0.0.0/16" },
    ]);
    expect(plan.managementRoutes).to.deep.equal([{ tier: "private", destinationCidrBlock: "10.10.0.0/16" }]);
  });

  it("with the defaults and slot 1, plans exactly these management-side NACL entries (rules 410–419)", () => {
    expect(planPeering(intent()).managementNaclRules).to.deep.equal([
      r("private", true, 410, "10.10.160.0/19", 5432, 5432, "database"),
      r("private", true, 412, "10.10.0.0/17", 1024, 65535, "private-replies"),
      r("private", false, 410, "10.10.160.0/19", 1024, 65535, "database-replies"),
      r("private", false, 411, "10.10.0.0/17", 1024, 65535, "service-replies"),
      r("private", false, 412, "10.10.0.0/17", 443, 443, "from-private-443"),
    ]);
  });

  it("with the defaults, plans the env's own flow to management: replies in at 400, 443 out at 400, private tier only", () => {
    expect(planPeering(intent()).environmentNaclRules).to.deep.equal([
      r("private", false, 400, "10.0.0.0/16", 1024, 65535, "management-replies"),
      r("private", true, 400, "10.0.0.0/16", 443, 443, "to-management-443"),
    ]);
  });

  it("with the defaults, opens the bastion's egress to the env's database port in its isolated tier only", () => {
    expect(planPeering(intent()).bastionEgress).to.deep.equal({ port: 5432, cidr: "10.10.160.0/19" });
  });

  const routeCases: { name: string; over: Partial<PeeringIntent>; env: Tier[]; mgmt: Tier[]; bastion: boolean }[] = [
    { name: "management reaches only the isolated tier", over: { managementTo: ["isolated"], toManagement: [] }, env: ["isolated"], mgmt: ["private"], bastion: true },
    { name: "management reaches only the private tier", over: { managementTo: ["private"], toManagement: [] }, env: ["private"], mgmt: ["private"], bastion: false },
    {
      name: "only the env reaches management, from public and private, bastion in management's public tier",
      over: { managementTo: [], toManagement: ["private", "public"], managementTiers: ["public", "private"] },
      env: ["public", "private"],
      mgmt: ["public", "private"],
      bastion: false,
    },
    { name: "nothing flows", over: { managementTo: [], toManagement: [] }, env: [], mgmt: [], bastion: false },
  ];
  for (const c of routeCases) {
    it(`with ${c.name}, routes env tiers [${c.env.join(", ")}] and management tiers [${c.mgmt.join(", ")}]`, () => {
      const plan = planPeering(intent(c.over));
      expect(plan.environmentRoutes.map((x) => x.tier)).to.deep.equal(c.env);
      expect(plan.managementRoutes.map((x) => x.tier)).to.deep.equal(c.mgmt);
      expect(plan.bastionEgress !== undefined).to.equal(c.bastion);
    });
  }

  it("with service ports, opens each from management to the env's private tier at fixed positions 3–9", () => {
    const rules = planPeering(intent({ servicePorts: [9090, 8080, 8080], ruleSlot: 2 })).managementNaclRules.filter((x) => x.purpose.startsWith("service-"));
    expect(rules).to.deep.equal([
      r("private", true, 423, "10.10.0.0/17", 8080, 8080, "service-8080"),
      r("private", true, 424, "10.10.0.0/17", 9090, 9090, "service-9090"),
      r("private", false, 421, "10.10.0.0/17", 1024, 65535, "service-replies"),
    ]);
  });

  it("with toManagement public, opens the ports from the env's public tier at positions 6–9", () => {
    const rules = planPeering(intent({ toManagement: ["public"], toManagementPorts: [443, 8443], ruleSlot: 0 })).managementNaclRules;
    expect(rules.filter((x) => x.cidrBlock === DEV.tierCidrs.public)).to.deep.equal([
      r("private", true, 401, "10.10.128.0/19", 1024, 65535, "public-replies"),
      r("private", false, 406, "10.10.128.0/19", 443, 443, "from-public-443"),
      r("private", false, 407, "10.10.128.0/19", 8443, 8443, "from-public-8443"),
    ]);
  });

  it("turning one flow off never renumbers another (positions are fixed, not counted)", () => {
    const key = (x: NaclRule) => `${x.tier}/${x.egress}/${x.purpose}`;
    const all = new Map(planPeering(intent()).managementNaclRules.map((x) => [key(x), x.ruleNumber]));
    for (const over of [{ managementTo: ["private"] as Tier[] }, { managementTo: ["isolated"] as Tier[] }, { toManagement: [] as Tier[] }]) {
      for (const x of planPeering(intent(over)).managementNaclRules) expect(x.ruleNumber, key(x)).to.equal(all.get(key(x)));
    }
  });

  it("fails with more service ports than the slot holds, naming the limit and the fix", () => {
    expect(() => planPeering(intent({ servicePorts: [8001, 8002, 8003, 8004, 8005, 8006, 8007, 8008] }))).to.throw(
      'planPeering: 8 service ports (8001, 8002, 8003, 8004, 8005, 8006, 8007, 8008) exceed the 7 the management NACL slot holds; remove "private" from platform:peering.managementTo or serve fewer ports',
    );
  });

  it("fails on a slot outside 0–9", () => {
    expect(() => planPeering(intent({ ruleSlot: 10 }))).to.throw("planPeering: ruleSlot must be 0..9, got 10");
  });

  it("gives slot s the rules 400+10s … 409+10s", () => {
    expect([0, 1, 9].map(slotRange)).to.deep.equal([
      { first: 400, last: 409 },
      { first: 410, last: 419 },
      { first: 490, last: 499 },
    ]);
  });

  describe("invariants (fast-check)", () => {
    const arbIntent = fc.record({
      managementTo: subset(MANAGEMENT_TO_TIERS),
      toManagement: subset(TO_MANAGEMENT_TIERS),
      managementTiers: subset(MANAGEMENT_SIDE_TIERS),
      toManagementPorts: fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 0, maxLength: 4 }),
      servicePorts: fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 0, maxLength: 7 }),
      databasePort: fc.constantFrom(5432, 3306),
      ruleSlot: fc.integer({ min: 0, max: 9 }),
    });

    it("every route names the peer's exact VPC CIDR, never 0.0.0.0/0, and never a range of a third VPC", () => {
      fc.assert(
        fc.property(arbIntent, (over) => {
          const plan = planPeering(intent(over));
          for (const x of plan.environmentRoutes) expect(x.destinationCidrBlock).to.equal(MGMT.vpcCidr);
          for (const x of plan.managementRoutes) expect(x.destinationCidrBlock).to.equal(DEV.vpcCidr);
        }),
      );
    });

    it("management-side rules stay inside the slot, name only this env's ranges, and are unique per NACL and direction", () => {
      fc.assert(
        fc.property(arbIntent, (over) => {
          const plan = planPeering(intent(over));
          const { first, last } = slotRange(over.ruleSlot);
          const seen = new Set<string>();
          for (const x of plan.managementNaclRules) {
            expect(x.ruleNumber).to.be.within(first, last);
            expect(contains(parseCidr(DEV.vpcCidr)!, parseCidr(x.cidrBlock)!), x.cidrBlock).to.equal(true);
            const k = `${x.tier}/${x.egress}/${x.ruleNumber}`;
            expect(seen.has(k), k).to.equal(false);
            seen.add(k);
          }
          for (const x of plan.environmentNaclRules) {
            expect(x.cidrBlock).to.equal(MGMT.vpcCidr);
            expect(x.ruleNumber).to.be.within(400, 403);
          }
        }),
      );
    });

    it("two environments in different slots never write the same rule number into a shared NACL", () => {
      const STAGING = { vpcCidr: "10.20.0.0/16", tierCidrs: planNetwork("10.20.0.0/16", 3).tierCidrs };
      fc.assert(
        fc.property(arbIntent, arbIntent, (a, b) => {
          fc.pre(a.ruleSlot !== b.ruleSlot);
          const keys = (p: ReturnType<typeof planPeering>) => p.managementNaclRules.map((x) => `${x.tier}/${x.egress}/${x.ruleNumber}`);
          const ka = new Set(keys(planPeering(intent(a))));
          for (const k of keys(planPeering(intent({ ...b, environment: STAGING })))) expect(ka.has(k), k).to.equal(false);
        }),
      );
    });

    it("is deterministic", () => {
      fc.assert(
        fc.property(arbIntent, (over) => {
          expect(planPeering(intent(over))).to.deep.equal(planPeering(intent(over)));
        }),
      );
    });

    it("mirrors on the management side every management flow the env's own NACLs admit (rules 300–399)", () => {
      fc.assert(
        fc.property(fc.uniqueArray(fc.integer({ min: 1024, max: 9999 }), { maxLength: 7 }), fc.constantFrom(5432, 3306), (servicePorts, databasePort) => {
          const envRules = planNaclRules({
            vpcCidr: DEV.vpcCidr,
            tierCidrs: DEV.tierCidrs,
            servicePorts,
            databasePort,
            managementCidrs: [MGMT.vpcCidr],
            sshSourceCidrs: [],
          }).filter((x) => x.cidrBlock === MGMT.vpcCidr);
          const mgmtRules = planPeering(intent({ servicePorts, databasePort })).managementNaclRules;
          for (const e of envRules) {
            // The env admits X from management ⇒ management lets X out towards that tier, and vice versa.
            const mirror = mgmtRules.find(
              (m) => m.egress === !e.egress && m.cidrBlock === DEV.tierCidrs[e.tier] && m.fromPort <= e.fromPort && m.toPort >= e.toPort,
            );
            expect(mirror, `${e.tier} ${e.egress ? "out" : "in"} ${e.ruleNumber} ${e.fromPort}-${e.toPort}`).to.not.equal(undefined);
          }
        }),
      );
    });
  });

  describe("connection mode", () => {
    const cases: { accepter: Parameters<typeof peeringMode>[0]; mode: ReturnType<typeof peeringMode>; sgReference: boolean }[] = [
      { accepter: undefined, mode: "sameAccountSameRegion", sgReference: true },
      { accepter: { region: "ap-northeast-2" }, mode: "sameAccountSameRegion", sgReference: true },
      { accepter: { region: "ap-northeast-1" }, mode: "sameAccountCrossRegion", sgReference: false },
      { accepter: { ownerId: "210987654321", roleArn: "arn:aws:iam::210987654321:role/a" }, mode: "crossAccount", sgReference: true },
      { accepter: { ownerId: "210987654321", region: "us-east-1", roleArn: "arn:aws:iam::210987654321:role/a" }, mode: "crossAccount", sgReference: false },
    ];
    for (const c of cases) {
      it(`with accepter ${JSON.stringify(c.accepter)} in ap-northeast-2, is ${c.mode}; security groups ${c.sgReference ? "can" : "cannot"} be referenced`, () => {
        expect(peeringMode(c.accepter, "ap-northeast-2")).to.equal(c.mode);
        expect(canReferencePeerSecurityGroups(c.accepter, "ap-northeast-2")).to.equal(c.sgReference);
      });
    }
  });

  it("covers every tier in the allowed-tier constants (no tier is silently unplannable)", () => {
    expect([...new Set([...MANAGEMENT_TO_TIERS, ...TO_MANAGEMENT_TIERS, ...MANAGEMENT_SIDE_TIERS])].sort()).to.deep.equal([...TIERS].sort());
  });
});
