import { expect } from "chai";
import { CostReport, DeploymentResource, estimate, FREE_TYPES, parseUsageFile, shippedPriceTable } from "../../cli/cost";
import { doc, res } from "../fixtures/cost/build";

/** Pricing of the office VPN: connection-hours, data out, the key secret, alarms; the gateways free. */

const prices = shippedPriceTable();
const usage = (gb: number) => parseUsageFile(`resource_type_default_usage: { "aws:ec2/vpnConnection:VpnConnection": { monthly_data_transfer_out_gb: ${gb} } }`, "u.yml");
const run = (region: string, resources: DeploymentResource[], gb = 0): CostReport => estimate(doc(...resources), { region, prices, usage: [usage(gb)], stack: "test" });
const conn = (inputs: Record<string, unknown> = {}) => res("aws:ec2/vpnConnection:VpnConnection", "vpn-office", { type: "ipsec.1", vpnGatewayId: "vgw-1", presharedKeyStorage: "SecretsManager", ...inputs });

describe("cost: the office VPN", () => {
  it("in Seoul with 10 GB to the office: 730 h × $0.05 + 10 GB × $0.126 + one key secret $0.40", () => {
    const r = run("ap-northeast-2", [conn()], 10);
    const lines = r.resources[0].lines.map((l) => [l.description, l.quantity, l.unitPrice, l.monthly]);
    expect(lines).to.deep.equal([
      ["Site-to-Site VPN connection", 730, 0.05, 36.5],
      ["Data transfer out (AWS to the office)", 10, 0.126, 1.26],
      ["Pre-shared key secret (Secrets Manager)", 1, 0.4, 0.4],
    ]);
    expect(r.monthlyTotal).to.equal(38.16);
  });

  it("in us-east-1 with keys kept by the VPN service: no secret line, data out at $0.09", () => {
    const r = run("us-east-1", [conn({ presharedKeyStorage: undefined })], 100);
    expect(r.resources[0].lines.map((l) => [l.description, l.monthly])).to.deep.equal([
      ["Site-to-Site VPN connection", 36.5],
      ["Data transfer out (AWS to the office)", 9],
    ]);
  });

  it("prices an alarm at $0.10 a month, a high-resolution one at that price with a note that it costs 3x", () => {
    const r = run("ap-northeast-2", [
      res("aws:cloudwatch/metricAlarm:MetricAlarm", "tunnel-1-down", { namespace: "AWS/VPN", metricName: "TunnelState", period: 300 }),
      res("aws:cloudwatch/metricAlarm:MetricAlarm", "fast", { period: 10 }),
    ]);
    expect(r.resources.find((x) => x.name === "tunnel-1-down")?.monthly).to.equal(0.1);
    expect(r.resources.find((x) => x.name === "fast")?.notes).to.deep.equal([
      "period under 60 s: a high-resolution alarm costs 3x the standard price priced here",
    ]);
    expect(r.monthlyTotal).to.equal(0.2);
  });

  it("the gateway, customer gateways, static routes and propagation are free", () => {
    for (const t of ["VpnGateway", "CustomerGateway", "VpnConnectionRoute", "VpnGatewayRoutePropagation"]) {
      expect(FREE_TYPES.has(`aws:ec2/${t[0].toLowerCase()}${t.slice(1)}:${t}`), t).to.equal(true);
    }
  });
});
