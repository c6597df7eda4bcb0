import { expect } from "chai";
import { addressPlanOf } from "../../../cli/commands/addresses";
import { addressingFromConfig, checkAddressPlan } from "../../../infra/peering/address-plan";

const office = (cidrs: string[]) => ({ offices: [{ name: "office", publicIp: "203.0.113.10", bgpAsn: 65010, cidrs }] });
const shared = (vpn: unknown) => addressingFromConfig("shared", { "platform:network": { cidr: "10.0.0.0/16" }, "platform:vpn": vpn });
const dev = addressingFromConfig("dev", {
  "platform:network": { cidr: "10.10.0.0/16" },
  "platform:peering": { environmentClass: "nonprod", ruleSlot: 1, peers: [{ stack: "platform/shared", cidr: "10.0.0.0/16", environmentClass: "management" }] },
});

describe("platform addresses: office ranges behind the VPN", () => {
  it("reads the office ranges of platform:vpn", () => {
    expect(shared(office(["192.168.0.0/20", "172.20.0.0/16"])).offices).to.deep.equal([
      { office: "office", cidr: "192.168.0.0/20" },
      { office: "office", cidr: "172.20.0.0/16" },
    ]);
  });

  it("fails when an office range overlaps an environment's VPC, naming the office, both stacks and both ranges", () => {
    expect(checkAddressPlan([shared(office(["10.10.4.0/22"])), dev], "platform")).to.deep.equal([
      {
        kind: "office-overlap",
        stacks: ["shared", "dev"],
        message:
          'Office range overlap: office "office" of stack "shared" (environments/Pulumi.shared.yaml, platform:vpn) has 10.10.4.0/22, which overlaps stack "dev"\'s VPC 10.10.0.0/16 (environments/Pulumi.dev.yaml); ' +
          'the office could not tell its own hosts from the VPC\'s. Fix: list only the office\'s own LAN ranges, or renumber "dev" (platform:network.cidr).',
      },
    ]);
  });

  it("passes ranges clear of every VPC, and reports a malformed section as unreadable", () => {
    expect(checkAddressPlan([shared(office(["192.168.0.0/20"])), dev], "platform")).to.deep.equal([]);
    const bad = shared({ offices: "none" });
    expect(bad.problems).to.have.length(1);
    expect(bad.problems[0]).to.match(/^platform:vpn is malformed \(offices: /);
  });

  it("the shipped stack files have no finding (the example office 192.168.0.0/20 is clear of 10.0/16, 10.10/16, 10.20/16, 10.30/16)", () => {
    const plan = addressPlanOf();
    expect(plan.findings).to.deep.equal([]);
    expect(plan.stacks.find((s) => s.stack === "shared")?.offices).to.deep.equal([{ office: "office", cidr: "192.168.0.0/20" }]);
  });
});
