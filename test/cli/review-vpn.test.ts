import { expect } from "chai";
import { buildDiagram } from "../../cli/review/diagram";
import { extractSettings } from "../../cli/review/parity";
import { shippedPlan, shippedPlans } from "../support/plans";

/** The office VPN in `platform review`: the diagram's office — VPN — gateway — VPC path, and the parity row. */
describe("review: the office VPN of the shared stack", function () {
  this.timeout(300000);

  it("draws the office, its two-tunnel BGP connection to the gateway, the gateway on the management VPC, and the bastion it admits on 22", async () => {
    const plans = await shippedPlans(["shared", "dev"]);
    const lines = buildDiagram([...plans.values()].map((p) => ({ stack: p.stack, head: p.deployment }))).split("\n");
    expect(lines).to.include.members([
      '  shared_vgw_vpn_vgw["VPN gateway vpn-vgw<br/>ASN 64512"]',
      "  shared_vgw_vpn_vgw --- vpc_shared_vpc",
      '  shared_office_office(["Office office<br/>192.168.0.0/20<br/>device 203.0.113.10"])',
      '  shared_office_office -. IPsec, 2 tunnels, BGP .-> shared_vgw_vpn_vgw',
      '  shared_vgw_vpn_vgw -->|"22"| shared_bastion',
    ]);
    // Nothing from the office reaches into dev: no edge from the gateway or the office to a dev node.
    expect(lines.filter((l) => /^ {2}shared_(vgw|office)\S* .*dev_/.test(l))).to.deep.equal([]);
  });

  it("lists the office's routing, tunnels' IKE versions and ranges as a Network parity row of shared only", async () => {
    const shared = await shippedPlan("shared");
    const dev = await shippedPlan("dev");
    expect(extractSettings(shared.deployment, "shared").filter((s) => s.label === "Site-to-site VPN")).to.deep.equal([
      { group: "Network", label: "Site-to-site VPN", resource: "office", value: "BGP; tunnels ikev2 / ikev2; 192.168.0.0/20" },
    ]);
    expect(extractSettings(dev.deployment, "dev").filter((s) => s.label === "Site-to-site VPN")).to.deep.equal([]);
  });
});
