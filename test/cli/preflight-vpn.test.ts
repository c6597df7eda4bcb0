import { expect } from "chai";
import type { DeploymentDocument, DeploymentResource } from "../../cli/cost/types";
import { checkQuotas } from "../../cli/preflight/check";
import { Contribution, countStack } from "../../cli/preflight/count";
import { shippedQuotaTable } from "../../cli/preflight/quota-table";

/** Preflight's VPN quotas: gateways, customer gateways and connections per Region, connections per gateway. */

const STACK_URN = "urn:pulumi:t::platform::pulumi:pulumi:Stack::platform-t";
function res(type: string, name: string, inputs: Record<string, unknown>, id: string): DeploymentResource {
  return { urn: `urn:pulumi:t::platform::${type}::${name}`, type, custom: true, id, inputs, outputs: {}, parent: STACK_URN };
}
function doc(...resources: DeploymentResource[]): DeploymentDocument {
  const provider = res("pulumi:providers:aws", "aws", { region: "ap-northeast-2", allowedAccountIds: ["111111111111"] }, "p1");
  const stack: DeploymentResource = { urn: STACK_URN, type: "pulumi:pulumi:Stack", custom: false };
  return { version: 3, deployment: { resources: [stack, provider, ...resources.map((r) => ({ provider: `${provider.urn}::p1`, ...r }))] } };
}
const of = (cs: readonly Contribution[], quota: string) => cs.filter((c) => c.quota === quota).map((c) => [c.resource, c.amount, c.subject]);

/** One gateway with `offices` customer gateways and connections. */
function vpn(offices: number): DeploymentDocument {
  const rs = [res("aws:ec2/vpnGateway:VpnGateway", "vgw", { vpcId: "vpc-1", amazonSideAsn: "64512" }, "vgw-1")];
  for (let i = 1; i <= offices; i++) {
    rs.push(res("aws:ec2/customerGateway:CustomerGateway", `cgw-${i}`, { type: "ipsec.1", bgpAsn: String(65000 + i), ipAddress: `203.0.113.${i}` }, `cgw-${i}`));
    rs.push(res("aws:ec2/vpnConnection:VpnConnection", `vpn-${i}`, { type: "ipsec.1", vpnGatewayId: "vgw-1", customerGatewayId: `cgw-${i}` }, `vpn-${i}`));
  }
  return doc(...rs);
}

describe("preflight: site-to-site VPN quotas", () => {
  it("counts the gateway, each customer gateway and connection per Region, and each connection against its gateway", () => {
    const { contributions } = countStack(vpn(2), "t");
    expect(of(contributions, "virtual-private-gateways")).to.deep.equal([["vgw", 1, undefined]]);
    expect(of(contributions, "customer-gateways")).to.deep.equal([["cgw-1", 1, undefined], ["cgw-2", 1, undefined]]);
    expect(of(contributions, "vpn-connections")).to.deep.equal([["vpn-1", 1, undefined], ["vpn-2", 1, undefined]]);
    expect(of(contributions, "vpn-connections-per-vgw")).to.deep.equal([["vpn-1", 1, "vgw-1"], ["vpn-2", 1, "vgw-1"]]);
  });

  it("fails on an eleventh office on one gateway (L-B91E5754, 10 per virtual private gateway)", () => {
    const table = shippedQuotaTable();
    const ok = checkQuotas([countStack(vpn(10), "t")], table, {});
    const over = checkQuotas([countStack(vpn(11), "t")], table, {});
    const row = (r: typeof ok) => r.accounts[0].quotas.find((q) => q.id === "vpn-connections-per-vgw");
    expect(row(ok)).to.deep.include({ used: 10, limit: 10, ok: true, subject: "t/vgw" });
    expect(row(over)).to.deep.include({ used: 11, limit: 10, ok: false, code: "L-B91E5754", scope: "vpnGateway" });
    expect(over.ok).to.equal(false);
  });
});
