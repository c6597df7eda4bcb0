import { expect } from "chai";
import fc from "fast-check";
import { ADMIN_PORTS, ANYWHERE, NaclIntent, NaclRule, planNaclRules, ruleCovers } from "../../../infra/network/nacl";
import { planNetwork } from "../../../infra/network/plan";

const plan = planNetwork("10.10.0.0/16", 2);
const base: NaclIntent = {
  vpcCidr: "10.10.0.0/16",
  tierCidrs: plan.tierCidrs,
  servicePorts: [8080],
  databasePort: 5432,
  managementCidrs: [],
  sshSourceCidrs: [],
};

const find = (rules: NaclRule[], tier: string, egress: boolean, n: number) =>
  rules.find((r) => r.tier === tier && r.egress === egress && r.ruleNumber === n);

describe("network/nacl: rules from traffic intent", () => {
  it("public tier admits 443 and 80 from anywhere, plus ephemeral return traffic stepping around RDP", () => {
    const rules = planNaclRules(base);
    expect(find(rules, "public", false, 100)).to.include({ cidrBlock: ANYWHERE, fromPort: 443, toPort: 443, action: "allow" });
    expect(find(rules, "public", false, 110)).to.include({ cidrBlock: ANYWHERE, fromPort: 80, toPort: 80 });
    expect(find(rules, "public", false, 200)).to.include({ fromPort: 1024, toPort: 3388 });
    expect(find(rules, "public", false, 210)).to.include({ fromPort: 3390, toPort: 65535 });
    expect(rules.filter((r) => r.tier === "public" && !r.egress).map((r) => r.ruleNumber)).to.deep.equal([100, 110, 200, 210]);
  });

  it("private tier admits the service ports only from the public tier", () => {
    const rules = planNaclRules({ ...base, servicePorts: [8080, 3000, 8080] });
    const svc = rules.filter((r) => r.tier === "private" && !r.egress && r.ruleNumber < 200);
    expect(svc.map((r) => [r.ruleNumber, r.fromPort, r.cidrBlock])).to.deep.equal([
      [100, 3000, "10.10.128.0/19"],
      [101, 8080, "10.10.128.0/19"],
    ]);
  });

  it("with interface endpoints, the private tier admits 443 from itself (rule 190): tasks call endpoint ENIs in other AZs", () => {
    const rule = (i: NaclIntent) => planNaclRules(i).filter((r) => r.tier === "private" && !r.egress && r.fromPort === 443);
    expect(rule(base)).to.deep.equal([]);
    expect(rule({ ...base, interfaceEndpoints: true })).to.deep.equal([
      { tier: "private", egress: false, ruleNumber: 190, protocol: "tcp", action: "allow", cidrBlock: "10.10.0.0/17", fromPort: 443, toPort: 443, purpose: "endpoints-https" },
    ]);
  });

  it("isolated tier admits only the database port from the private tier, and answers back", () => {
    const rules = planNaclRules(base).filter((r) => r.tier === "isolated");
    expect(rules).to.deep.equal([
      { tier: "isolated", egress: false, ruleNumber: 100, protocol: "tcp", action: "allow", cidrBlock: "10.10.0.0/17", fromPort: 5432, toPort: 5432, purpose: "database" },
      { tier: "isolated", egress: true, ruleNumber: 100, protocol: "tcp", action: "allow", cidrBlock: "10.10.0.0/17", fromPort: 1024, toPort: 65535, purpose: "ephemeral-out" },
    ]);
  });

  it("with a management VPC, the isolated tier admits the database port from it in the 300 range", () => {
    const rules = planNaclRules({ ...base, managementCidrs: ["10.0.0.0/16"] }).filter((r) => r.tier === "isolated" && r.ruleNumber >= 300);
    expect(rules.map((r) => [r.egress, r.ruleNumber, r.cidrBlock, r.fromPort, r.toPort])).to.deep.equal([
      [false, 300, "10.0.0.0/16", 5432, 5432],
      [true, 300, "10.0.0.0/16", 1024, 65535],
    ]);
  });

  it("with office SSH CIDRs, opens 22 only to those CIDRs on the public tier", () => {
    const rules = planNaclRules({ ...base, sshSourceCidrs: ["203.0.113.0/24"] });
    const ssh = rules.filter((r) => !r.egress && ruleCovers(r, 22));
    expect(ssh.map((r) => [r.tier, r.ruleNumber, r.cidrBlock])).to.deep.equal([["public", 120, "203.0.113.0/24"]]);
  });

  const intentArb = fc.record({
    servicePorts: fc.array(fc.integer({ min: 1, max: 65535 }), { maxLength: 8 }),
    databasePort: fc.constantFrom(5432, 3306),
    managementCidrs: fc.subarray(["10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16"]),
    sshSourceCidrs: fc.subarray(["203.0.113.0/24", "198.51.100.0/24"]),
  });

  it("never opens SSH or RDP to the world, in any tier, for any intent", () => {
    fc.assert(
      fc.property(intentArb, (i) => {
        const rules = planNaclRules({ ...base, ...i, servicePorts: i.servicePorts.filter((p) => !ADMIN_PORTS.includes(p as 22 | 3389)) });
        for (const r of rules) {
          if (!r.egress && r.action === "allow" && r.cidrBlock === ANYWHERE) {
            for (const port of ADMIN_PORTS) expect(ruleCovers(r, port), `${r.tier} ${r.ruleNumber}`).to.equal(false);
          }
        }
      }),
    );
  });

  it("every admitted inbound flow has an ephemeral path back to its source", () => {
    fc.assert(
      fc.property(intentArb, (i) => {
        const rules = planNaclRules({ ...base, ...i });
        for (const r of rules.filter((x) => !x.egress && x.fromPort < 1024)) {
          const back = rules.filter((x) => x.tier === r.tier && x.egress && x.fromPort <= 1024 && x.toPort === 65535);
          const src = r.cidrBlock;
          const covered = back.some((x) => x.cidrBlock === ANYWHERE || x.cidrBlock === src || (src.startsWith("10.10.") && x.cidrBlock === "10.10.0.0/16"));
          expect(covered, `${r.tier} ${r.ruleNumber} from ${src}`).to.equal(true);
        }
      }),
    );
  });

  it("rule numbers are unique per tier and direction, and within AWS's 1..32766", () => {
    fc.assert(
      fc.property(intentArb, (i) => {
        const rules = planNaclRules({ ...base, ...i });
        const keys = rules.map((r) => `${r.tier}/${r.egress}/${r.ruleNumber}`);
        expect(new Set(keys).size).to.equal(keys.length);
        for (const r of rules) expect(r.ruleNumber).to.be.within(1, 32766);
      }),
    );
  });

  it("is stable: adding a service port keeps every existing rule's number", () => {
    const before = planNaclRules({ ...base, servicePorts: [8080] });
    const after = planNaclRules({ ...base, servicePorts: [8080, 9090] });
    for (const r of before) expect(after).to.deep.include(r);
  });
});
