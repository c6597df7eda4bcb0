import { expect } from "chai";
import fc from "fast-check";
import { EPHEMERAL_FROM, EPHEMERAL_TO, NaclIntent, planNaclRules, planOfficeNaclRules } from "../../../infra/network/nacl";
import { planNetwork } from "../../../infra/network/plan";
import { TunnelConfigSchema } from "../../../infra/vpn/config";
import { MAX_BGP_ASN, TUNNEL_ALARM, cidrNameKey, customerGatewayAsnArgs, officeNames, staticRoutes, tunnelArgs, vpnResourceCounts } from "../../../infra/vpn/plan";

const plan = planNetwork("10.0.0.0/16", 2);
const base: NaclIntent = { vpcCidr: "10.0.0.0/16", tierCidrs: plan.tierCidrs, servicePorts: [], databasePort: 5432, managementCidrs: [], sshSourceCidrs: [] };

describe("vpn/plan: NACL entries of the office (rules 500–599)", () => {
  it("with one office range on 22 in the private tier: 22 in at 500, ephemeral replies out at 500", () => {
    expect(planOfficeNaclRules({ cidrs: ["192.168.0.0/20"], tiers: ["private"], ports: [22] })).to.deep.equal([
      { tier: "private", egress: false, ruleNumber: 500, protocol: "tcp", action: "allow", cidrBlock: "192.168.0.0/20", fromPort: 22, toPort: 22, purpose: "office-1-port-22" },
      { tier: "private", egress: true, ruleNumber: 500, protocol: "tcp", action: "allow", cidrBlock: "192.168.0.0/20", fromPort: EPHEMERAL_FROM, toPort: EPHEMERAL_TO, purpose: "office-1-ephemeral-out" },
    ]);
  });

  it("numbers ports ascending per range (20 rules a range), in every granted tier", () => {
    const rules = planOfficeNaclRules({ cidrs: ["192.168.0.0/20", "172.20.0.0/16"], tiers: ["public", "private"], ports: [443, 22, 443] });
    expect(rules.filter((r) => r.tier === "public" && !r.egress).map((r) => [r.ruleNumber, r.cidrBlock, r.fromPort])).to.deep.equal([
      [500, "192.168.0.0/20", 22],
      [501, "192.168.0.0/20", 443],
      [520, "172.20.0.0/16", 22],
      [521, "172.20.0.0/16", 443],
    ]);
    expect(rules.filter((r) => r.egress).map((r) => `${r.tier}-${r.ruleNumber}`)).to.deep.equal(["public-500", "public-520", "private-500", "private-520"]);
  });

  it("planNaclRules appends them without renumbering any other rule, and never touches the isolated tier", () => {
    const without = planNaclRules(base);
    const withOffice = planNaclRules({ ...base, office: { cidrs: ["192.168.0.0/20"], tiers: ["public", "private"], ports: [22] } });
    expect(withOffice.slice(0, without.length)).to.deep.equal(without);
    expect(withOffice.slice(without.length).every((r) => r.tier !== "isolated" && r.ruleNumber >= 500 && r.ruleNumber < 600)).to.equal(true);
  });

  it("invariants: rule numbers unique per ACL and direction, inside 500–599, never 0.0.0.0/0, for any valid input", () => {
    const cidr = fc.tuple(fc.integer({ min: 11, max: 223 }), fc.integer({ min: 0, max: 255 })).map(([a, b]) => `${a}.${b}.0.0/16`);
    fc.assert(
      fc.property(
        fc.uniqueArray(cidr, { minLength: 1, maxLength: 5 }),
        fc.subarray(["public", "private"] as const, { minLength: 1 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 19 }),
        (cidrs, tiers, ports) => {
          const rules = planOfficeNaclRules({ cidrs, tiers, ports });
          const keys = rules.map((r) => `${r.tier}-${r.egress}-${r.ruleNumber}`);
          expect(new Set(keys).size).to.equal(keys.length);
          expect(rules.every((r) => r.ruleNumber >= 500 && r.ruleNumber <= 599 && r.cidrBlock !== "0.0.0.0/0")).to.equal(true);
          expect(rules.length).to.equal(cidrs.length * tiers.length * (ports.length + 1));
        },
      ),
    );
  });
});

describe("vpn/plan: tunnels, names and alarms", () => {
  it("writes each tunnel's options from the config, with logs to the given group", () => {
    const tunnel = TunnelConfigSchema.parse({});
    expect(tunnelArgs(tunnel, 2, "arn:aws:logs:ap-northeast-2:123456789012:log-group:/platform/shared/vpn/office")).to.deep.equal({
      tunnel2IkeVersions: ["ikev2"],
      tunnel2Phase1EncryptionAlgorithms: ["AES256-GCM-16", "AES256"],
      tunnel2Phase1IntegrityAlgorithms: ["SHA2-256", "SHA2-384", "SHA2-512"],
      tunnel2Phase1DhGroupNumbers: [19, 20, 21],
      tunnel2Phase2EncryptionAlgorithms: ["AES256-GCM-16", "AES256"],
      tunnel2Phase2IntegrityAlgorithms: ["SHA2-256", "SHA2-384", "SHA2-512"],
      tunnel2Phase2DhGroupNumbers: [19, 20, 21],
      tunnel2DpdTimeoutAction: "restart",
      tunnel2StartupAction: "start",
      tunnel2LogOptions: {
        cloudwatchLogOptions: { logEnabled: true, logGroupArn: "arn:aws:logs:ap-northeast-2:123456789012:log-group:/platform/shared/vpn/office", logOutputFormat: "json" },
      },
    });
  });

  it("derives every child name from the component and office names", () => {
    const n = officeNames("shared-vpn", "hq");
    expect([n.customerGateway, n.connection, n.logGroup, n.route("192.168.0.0/20"), n.positionalRoute(0), n.alarm(2)]).to.deep.equal([
      "shared-vpn-hq-cgw",
      "shared-vpn-hq",
      "shared-vpn-hq-logs",
      "shared-vpn-hq-route-192-168-0-0-20",
      "shared-vpn-hq-route-1",
      "shared-vpn-hq-tunnel-2-down",
    ]);
  });

  it("names static routes by range, so dropping one range leaves the others' names (and AWS routes) untouched", () => {
    const n = officeNames("shared-vpn", "hq");
    const before = staticRoutes({ routing: "static", cidrs: ["192.168.0.0/20", "172.20.0.0/16"] }).map(n.route);
    const after = staticRoutes({ routing: "static", cidrs: ["172.20.0.0/16"] }).map(n.route);
    expect(before).to.deep.equal(["shared-vpn-hq-route-192-168-0-0-20", "shared-vpn-hq-route-172-20-0-0-16"]);
    expect(after).to.deep.equal(["shared-vpn-hq-route-172-20-0-0-16"]);
    expect(cidrNameKey("10.0.0.0/8")).to.equal("10-0-0-0-8");
  });

  it("static routes exist only for static routing", () => {
    expect(staticRoutes({ routing: "bgp", cidrs: ["192.168.0.0/20"] })).to.deep.equal([]);
    expect(staticRoutes({ routing: "static", cidrs: ["192.168.0.0/20", "172.20.0.0/16"] })).to.deep.equal(["192.168.0.0/20", "172.20.0.0/16"]);
  });

  it("counts: one gateway, per office one customer gateway, connection, log group and two alarms", () => {
    const offices = [
      { name: "a", publicIp: "203.0.113.10", bgpAsn: 65010, cidrs: ["192.168.0.0/20"], routing: "bgp" as const },
      { name: "b", publicIp: "203.0.113.11", bgpAsn: 65011, cidrs: ["192.168.16.0/20", "192.168.32.0/20"], routing: "static" as const },
    ];
    expect(vpnResourceCounts({ offices }, 2)).to.deep.equal({ vpnGateways: 1, customerGateways: 2, connections: 2, routes: 2, alarms: 4, logGroups: 2, propagations: 2 });
  });

  it("alarms when TunnelState's maximum stays below 1 for three five-minute periods, missing data counting as down", () => {
    expect(TUNNEL_ALARM).to.deep.equal({
      namespace: "AWS/VPN",
      metricName: "TunnelState",
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: 3,
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      treatMissingData: "breaching",
    });
  });
});

describe("vpn/plan: the customer gateway's ASN argument (BgpAsn up to 2,147,483,647, BgpAsnExtended above)", () => {
  it("passes a 16-bit private ASN as bgpAsn", () => {
    expect(customerGatewayAsnArgs(65010)).to.deep.equal({ bgpAsn: "65010" });
  });

  it("switches at the API's bound: 2147483647 is still bgpAsn, 2147483648 is bgpAsnExtended", () => {
    expect(MAX_BGP_ASN).to.equal(2147483647);
    expect(customerGatewayAsnArgs(2147483647)).to.deep.equal({ bgpAsn: "2147483647" });
    expect(customerGatewayAsnArgs(2147483648)).to.deep.equal({ bgpAsnExtended: "2147483648" });
  });

  it("passes every 32-bit private ASN (4200000000–4294967294) as bgpAsnExtended and never both keys", () => {
    fc.assert(
      fc.property(fc.integer({ min: 4200000000, max: 4294967294 }), (asn) => {
        const args = customerGatewayAsnArgs(asn);
        expect(args).to.deep.equal({ bgpAsnExtended: String(asn) });
        expect(args).to.not.have.property("bgpAsn");
      }),
    );
  });
});
