import { expect } from "chai";
import fc from "fast-check";
import { parseConfig } from "../../../infra/config";
import { engineConfigFor } from "../../../cli/evaluate/stack-config";
import {
  DEFAULT_AMAZON_SIDE_ASN,
  DEFAULT_DH_GROUPS,
  DEFAULT_OFFICE_PORTS,
  DEFAULT_OFFICE_TIERS,
  DEFAULT_TUNNEL_LOG_RETENTION_DAYS,
  isPrivateAsn,
  publicIpProblem,
} from "../../../infra/vpn/config";
import { problemLines } from "../config/problems";

const SHARED = "environments/Pulumi.shared.yaml";
const DEV = "environments/Pulumi.dev.yaml";
const network = { cidr: "10.0.0.0/16", azCount: 2, natStrategy: "single" };
const office = { name: "office", publicIp: "203.0.113.10", bgpAsn: 65010, cidrs: ["192.168.0.0/20"] };

function raw(sections: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = { "aws:region": "ap-northeast-2" };
  for (const [k, v] of Object.entries(sections)) out[`platform:${k}`] = JSON.stringify(v);
  return out;
}
const problemsOf = (vpn: unknown, extra: Record<string, unknown> = {}, stack = "shared") => problemLines(stack, raw({ network, vpn, ...extra }));

describe("vpn/config: platform:vpn", () => {
  it("applies the documented defaults: IKEv2, AES-256(-GCM), SHA-2, DH 19/20/21, private tier on 22, BGP", () => {
    const cfg = parseConfig("shared", "platform", raw({ network, vpn: { offices: [office] } }));
    expect(cfg.vpn).to.deep.equal({
      amazonSideAsn: DEFAULT_AMAZON_SIDE_ASN,
      tunnel: {
        ikeVersions: ["ikev2"],
        phase1EncryptionAlgorithms: ["AES256-GCM-16", "AES256"],
        phase1IntegrityAlgorithms: ["SHA2-256", "SHA2-384", "SHA2-512"],
        phase1DhGroupNumbers: [...DEFAULT_DH_GROUPS],
        phase2EncryptionAlgorithms: ["AES256-GCM-16", "AES256"],
        phase2IntegrityAlgorithms: ["SHA2-256", "SHA2-384", "SHA2-512"],
        phase2DhGroupNumbers: [...DEFAULT_DH_GROUPS],
        dpdTimeoutAction: "restart",
        startupAction: "start",
      },
      access: { tiers: [...DEFAULT_OFFICE_TIERS], ports: [...DEFAULT_OFFICE_PORTS] },
      logRetentionDays: DEFAULT_TUNNEL_LOG_RETENTION_DAYS,
      offices: [{ ...office, routing: "bgp" }],
    });
  });

  it("accepts the shipped shared stack's example office (203.0.113.10, TEST-NET-3)", () => {
    const cfg = parseConfig("shared", "platform", engineConfigFor("shared"));
    expect(cfg.vpn?.offices).to.deep.equal([{ name: "office", publicIp: "203.0.113.10", bgpAsn: 65010, cidrs: ["192.168.0.0/20"], routing: "bgp" }]);
    expect(cfg.vpn?.access).to.deep.equal({ tiers: ["private"], ports: [22] });
  });

  it("fails when an environment sets it: the management stack only", () => {
    const peering = { environmentClass: "nonprod", ruleSlot: 1, peers: [{ stack: "platform/shared", cidr: "10.0.0.0/16", environmentClass: "management" }] };
    expect(problemLines("dev", raw({ network: { cidr: "10.10.0.0/16" }, peering, vpn: { offices: [office] } }))).to.deep.equal([
      ` - platform:vpn: received "1 office(s)"; allowed: the management stack only (environments/Pulumi.shared.yaml, the stack without platform:peering): the office lands in the management VPC and reaches environments through the bastion; fix: remove platform:vpn from ${DEV} and add the office to environments/Pulumi.shared.yaml`,
    ]);
  });

  it("fails on a private public IP, naming the documentation ranges it accepts", () => {
    expect(problemsOf({ offices: [{ ...office, publicIp: "192.168.1.1" }] })).to.deep.equal([
      ` - platform:vpn.offices[0].publicIp: received "192.168.1.1"; allowed: the public IPv4 of the office's VPN device (a private address, not reachable from the internet); the documentation ranges 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 are accepted for examples; fix: set it to the address the office's device sends IKE from, as seen from the internet`,
    ]);
  });

  it("fails on a public ASN, and on an office ASN equal to the gateway's", () => {
    expect(problemsOf({ amazonSideAsn: 7224, offices: [{ ...office, bgpAsn: 65010 }] })).to.deep.equal([
      ` - platform:vpn.amazonSideAsn: received 7224; allowed: a private ASN: 64512–65534 or 4200000000–4294967294 (AWS also accepts its legacy ASNs 7224, 9059, 10124 and 17493 for a virtual private gateway; the platform keeps to private ones); fix: set platform:vpn.amazonSideAsn to 64512 (AWS's default) or another private ASN in ${SHARED}`,
    ]);
    expect(problemsOf({ amazonSideAsn: 65010, offices: [office] })).to.deep.equal([
      ` - platform:vpn.offices[0].bgpAsn: received 65010; allowed: an ASN different from platform:vpn.amazonSideAsn (65010): the BGP session is external (eBGP) and both ends must differ; fix: give the office another private ASN, e.g. 65020`,
    ]);
  });

  it("fails on 0.0.0.0/0 as an office CIDR, and on an office range inside the management VPC", () => {
    expect(problemsOf({ offices: [{ ...office, cidrs: ["0.0.0.0/0"] }] })).to.deep.equal([
      ` - platform:vpn.offices[0].cidrs[0]: received "0.0.0.0/0"; allowed: the office's own networks, never the whole internet (the VPN would attract every packet the VPC sends); fix: list the office's LAN ranges, e.g. 192.168.0.0/20`,
    ]);
    expect(problemsOf({ offices: [{ ...office, cidrs: ["10.0.64.0/20"] }] })).to.deep.equal([
      ` - platform:vpn.offices[0].cidrs[0]: received "10.0.64.0/20"; allowed: a range outside this VPC (10.0.0.0/16); the VPC's local route always wins, so the office would be unreachable; fix: renumber the office or list only its own LAN ranges`,
    ]);
  });

  it("fails on overlapping ranges of two offices and on a duplicate office name", () => {
    const second = { ...office, name: "office", publicIp: "198.51.100.7", bgpAsn: 65020, cidrs: ["192.168.8.0/24"] };
    expect(problemsOf({ offices: [office, second] })).to.deep.equal([
      ` - platform:vpn.offices[].name: received ["office","office"]; allowed: each office name once; fix: remove the duplicate office`,
      ` - platform:vpn.offices[1].cidrs[0]: received "192.168.8.0/24"; allowed: ranges that do not overlap one another (it overlaps 192.168.0.0/20 of platform:vpn.offices[0].cidrs[0]); fix: merge or split the ranges so each address belongs to one office`,
    ]);
  });

  it("fails on two offices with the same public IP and ASN (AWS would give them one customer gateway and one connection)", () => {
    const twin = { ...office, name: "annex", cidrs: ["192.168.16.0/20"] };
    expect(problemsOf({ offices: [office, twin] })).to.deep.equal([
      ` - platform:vpn.offices[1].publicIp: received "203.0.113.10"; allowed: a public IP and ASN pair no other office uses (platform:vpn.offices[0] "office" has 203.0.113.10 with ASN 65010): AWS would hand both offices the same customer gateway and VPN connection; fix: list the office's ranges under platform:vpn.offices[0].cidrs instead, or give this device its own ASN`,
    ]);
    const distinct = parseConfig("shared", "platform", raw({ network, vpn: { offices: [office, { ...twin, bgpAsn: 65011 }] } }));
    expect(distinct.vpn?.offices.map((o) => [o.name, o.publicIp, o.bgpAsn])).to.deep.equal([
      ["office", "203.0.113.10", 65010],
      ["annex", "203.0.113.10", 65011],
    ]);
  });

  it("fails on weak DH groups, naming the modern ones", () => {
    expect(problemsOf({ tunnel: { phase2DhGroupNumbers: [2, 19] }, offices: [office] })).to.deep.equal([
      ` - platform:vpn.tunnel.phase2DhGroupNumbers[0]: received 2; allowed: modern Diffie-Hellman groups only: 15, 16, 17, 18, 19, 20, 21 (2, 5, 14 and 22–24 are weak or deprecated by RFC 8247); fix: use 19, 20, 21`,
    ]);
  });

  it("fails on IKEv1 and on AES128 through the schema", () => {
    const lines = problemsOf({ tunnel: { ikeVersions: ["ikev1"], phase1EncryptionAlgorithms: ["AES128"] }, offices: [office] });
    expect(lines).to.have.length(2);
    expect(lines[0]).to.match(/^ - platform:vpn\.tunnel\.ikeVersions\[0\]: received "ikev1"/);
    expect(lines[1]).to.match(/^ - platform:vpn\.tunnel\.phase1EncryptionAlgorithms\[0\]: received "AES128"/);
  });

  it("fails when the bastion moves to the public tier (sshCidrs) but the office reaches only the private one", () => {
    expect(problemsOf({ offices: [office] }, { bastion: { enabled: true, sshCidrs: ["198.51.100.0/24"] } })).to.deep.equal([
      ` - platform:vpn.access.tiers: received ["private"]; allowed: tiers that include the bastion's: with platform:bastion.sshCidrs set the bastion runs in the public tier; fix: add "public" to platform:vpn.access.tiers, or empty platform:bastion.sshCidrs in ${SHARED} so the bastion stays private (the office reaches it over the VPN)`,
    ]);
  });

  it("suggests the key a typo meant", () => {
    const lines = problemsOf({ offices: [office], amazonSideASN: 64512 });
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include("platform:vpn.amazonSideASN").and.include("amazonSideAsn");
  });

  it("fails on the isolated tier and on RDP", () => {
    const lines = problemsOf({ access: { tiers: ["isolated"] }, offices: [office] });
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^ - platform:vpn\.access\.tiers\[0\]: received "isolated"/);
    expect(problemsOf({ access: { ports: [3389] }, offices: [office] })).to.deep.equal([` - platform:vpn.access.ports[0]: received 3389; allowed: ports the management VPC serves (the bastion is Linux: SSH 22); fix: remove 3389`]);
  });

  it("classifies addresses: internet unicast and documentation ranges pass, private/shared/reserved fail", () => {
    const cases: Array<[string, string | undefined]> = [
      ["8.8.8.8", undefined],
      ["203.0.113.10", undefined],
      ["198.51.100.1", undefined],
      ["192.0.2.4", undefined],
      ["10.1.2.3", "a private address, not reachable from the internet"],
      ["100.64.0.1", "a carrierGradeNat address, not reachable from the internet"],
      ["169.254.1.1", "a linkLocal address, not reachable from the internet"],
      ["240.0.0.1", "a reserved address, not reachable from the internet"],
      ["300.1.1.1", "not an IPv4 address"],
    ];
    for (const [ip, want] of cases) expect(publicIpProblem(ip), ip).to.equal(want);
  });

  it("private ASNs are exactly 64512–65534 and 4200000000–4294967294", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4294967295 }), (asn) => {
        expect(isPrivateAsn(asn)).to.equal((asn >= 64512 && asn <= 65534) || (asn >= 4200000000 && asn <= 4294967294));
      }),
    );
    expect([64511, 64512, 65534, 65535, 4199999999, 4200000000, 4294967294, 4294967295].map(isPrivateAsn)).to.deep.equal([false, true, true, false, false, true, true, false]);
  });
});
