import { expect } from "chai";
import { Evaluation, RecordedResource, ofType } from "../../../cli/evaluate/harness";
import { engineConfigFor } from "../../../cli/evaluate/stack-config";
import { T } from "../../../policies/lib/types";
import { evaluateShipped, evaluateStack } from "../../support/stacks";

const one = (ev: Evaluation, type: string, name: string): RecordedResource => {
  const found = ofType(ev, type).filter((r) => r.name === name);
  expect(found, `${type} ${name}`).to.have.length(1);
  return found[0];
};
const COMPONENT = "urn:pulumi:shared::platform::platform:vpn:OfficeVpn::shared-vpn";

describe("vpn component in the shared stack (the example office, BGP)", function () {
  this.timeout(120000);
  let ev: Evaluation;
  before(async () => {
    ev = await evaluateShipped("shared");
  });

  it("attaches one virtual private gateway to the management VPC with the configured ASN", () => {
    const vgw = one(ev, T.vpnGateway, "shared-vpn-vgw");
    expect(vgw.inputs.vpcId).to.equal(one(ev, T.vpc, "shared-vpc").id);
    expect(vgw.inputs.amazonSideAsn).to.equal("64512");
    expect(vgw.id).to.match(/^vgw-[0-9a-f]{17}$/);
    expect(vgw.parent).to.equal(COMPONENT);
  });

  it("creates one customer gateway for the office: ipsec.1, its public IP and ASN", () => {
    const cgw = one(ev, T.customerGateway, "shared-vpn-office-cgw");
    expect(cgw.inputs).to.include({ type: "ipsec.1", bgpAsn: "65010", ipAddress: "203.0.113.10" });
    expect(ofType(ev, T.customerGateway)).to.have.length(1);
  });

  it("creates the VPN connection with BGP, both tunnels on IKEv2 and modern ciphers, keys in Secrets Manager and none in the inputs", () => {
    const conn = one(ev, T.vpnConnection, "shared-vpn-office");
    expect(conn.inputs).to.include({
      type: "ipsec.1",
      vpnGatewayId: one(ev, T.vpnGateway, "shared-vpn-vgw").id,
      customerGatewayId: one(ev, T.customerGateway, "shared-vpn-office-cgw").id,
      staticRoutesOnly: false,
      presharedKeyStorage: "SecretsManager",
    });
    for (const n of [1, 2]) {
      expect(conn.inputs[`tunnel${n}IkeVersions`]).to.deep.equal(["ikev2"]);
      expect(conn.inputs[`tunnel${n}Phase2DhGroupNumbers`]).to.deep.equal([19, 20, 21]);
      expect(conn.inputs[`tunnel${n}StartupAction`]).to.equal("start");
      expect(conn.inputs).to.not.have.property(`tunnel${n}PresharedKey`);
      expect(conn.inputs[`tunnel${n}LogOptions`]).to.deep.equal({
        cloudwatchLogOptions: { logEnabled: true, logGroupArn: one(ev, T.logGroup, "shared-vpn-office-logs").outputs.arn, logOutputFormat: "json" },
      });
    }
    expect(conn.inputs.tags).to.deep.equal({ Name: "shared-vpn-office", Office: "office", OfficeCidrs: "192.168.0.0/20" });
    // CreateVpnConnection is idempotent per customer/virtual private gateway pair: a replacement
    // must not be created beside the old connection (it would get the old one's id back).
    expect(conn.deleteBeforeReplace).to.equal(true);
    expect(one(ev, T.customerGateway, "shared-vpn-office-cgw").deleteBeforeReplace).to.equal(undefined);
    expect(conn.outputs.presharedKeyArn).to.match(/^arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:vpn-psk-vpn-[0-9a-f]{17}-/);
    expect(ofType(ev, T.vpnConnectionRoute)).to.deep.equal([]);
  });

  it("answers with two distinct /30 inside ranges in 169.254.0.0/16, none of AWS's reserved ones", () => {
    const conn = one(ev, T.vpnConnection, "shared-vpn-office");
    const reserved = ["0", "1", "2", "3", "4", "5"].map((c) => `169.254.${c}.0/30`).concat("169.254.169.252/30");
    const ranges = [1, 2].map((n) => conn.outputs[`tunnel${n}InsideCidr`] as string);
    for (const r of ranges) {
      expect(r).to.match(/^169\.254\.\d{1,3}\.\d{1,3}\/30$/);
      expect(Number(r.split(".")[3].split("/")[0]) % 4).to.equal(0);
      expect(reserved).to.not.include(r);
    }
    expect(ranges[0]).to.not.equal(ranges[1]);
    expect(conn.outputs.tunnel1VgwInsideAddress).to.equal(ranges[0].replace(/\.(\d+)\/30$/, (_m, d: string) => `.${Number(d) + 1}`));
  });

  it("logs the tunnels to a group under the stack's prefix, encrypted with the logs key", () => {
    const logs = one(ev, T.logGroup, "shared-vpn-office-logs");
    expect(logs.inputs).to.include({ name: "/platform/shared/vpn/office", retentionInDays: 365 });
    expect(logs.inputs.kmsKeyId).to.equal(one(ev, T.kmsKey, "shared-logs-key").outputs.arn);
  });

  it("alarms on each tunnel's TunnelState by its outside address, with no action (no topic configured)", () => {
    const conn = one(ev, T.vpnConnection, "shared-vpn-office");
    for (const n of [1, 2]) {
      const alarm = one(ev, T.metricAlarm, `shared-vpn-office-tunnel-${n}-down`);
      expect(alarm.inputs).to.include({ namespace: "AWS/VPN", metricName: "TunnelState", statistic: "Maximum", threshold: 1, comparisonOperator: "LessThanThreshold", treatMissingData: "breaching" });
      expect(alarm.inputs.dimensions).to.deep.equal({ TunnelIpAddress: conn.outputs[`tunnel${n}Address`] });
      expect(alarm.inputs.alarmActions).to.deep.equal([]);
    }
    expect(ofType(ev, T.metricAlarm)).to.have.length(2);
  });

  it("propagates office routes into the private tier's route tables only", () => {
    const props = ofType(ev, T.vpnGatewayRoutePropagation);
    expect(props.map((p) => p.name)).to.deep.equal(["shared-vpn-propagate-private-1", "shared-vpn-propagate-private-2"]);
    expect(props.map((p) => p.inputs.routeTableId)).to.deep.equal(["shared-private-1", "shared-private-2"].map((n) => one(ev, T.routeTable, n).id));
  });

  it("opens the private tier's ACL to the office on 22 (rule 500) and back on ephemeral ports, and the bastion's group on 22", () => {
    const acl = one(ev, T.networkAcl, "shared-private").id;
    expect(one(ev, T.networkAclRule, "shared-private-in-500").inputs).to.deep.include({ networkAclId: acl, ruleNumber: 500, egress: false, cidrBlock: "192.168.0.0/20", fromPort: 22, toPort: 22, ruleAction: "allow" });
    expect(one(ev, T.networkAclRule, "shared-private-out-500").inputs).to.deep.include({ networkAclId: acl, egress: true, cidrBlock: "192.168.0.0/20", fromPort: 1024, toPort: 65535 });
    expect(ofType(ev, T.networkAclRule).filter((r) => r.inputs.cidrBlock === "192.168.0.0/20")).to.have.length(2);
    // A changed office range replaces rule 500; AWS refuses a second entry 500 (NetworkAclEntryAlreadyExists).
    expect(ofType(ev, T.networkAclRule).filter((r) => r.deleteBeforeReplace !== true).map((r) => r.name)).to.deep.equal([]);
    const rule = one(ev, T.securityGroupIngressRule, "shared-bastion-office-192-168-0-0-20-22");
    expect(rule.inputs).to.include({ securityGroupId: one(ev, T.securityGroup, "shared-bastion-sg").id, ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "192.168.0.0/20" });
  });

  it("exports what the deploy guide needs: gateway, customer gateway and connection ids, key secrets, tunnel addresses, office ranges", () => {
    const conn = one(ev, T.vpnConnection, "shared-vpn-office");
    expect(ev.outputs).to.deep.include({
      vpnGatewayId: one(ev, T.vpnGateway, "shared-vpn-vgw").id,
      customerGatewayIds: { office: one(ev, T.customerGateway, "shared-vpn-office-cgw").id },
      vpnConnectionIds: { office: conn.id },
      vpnPresharedKeyArns: { office: conn.outputs.presharedKeyArn },
      vpnTunnelAddresses: { office: [conn.outputs.tunnel1Address, conn.outputs.tunnel2Address] },
      officeCidrs: ["192.168.0.0/20"],
    });
  });
});

describe("vpn component with static routing and two ranges", function () {
  this.timeout(120000);
  it("adds one VpnConnectionRoute per office range and staticRoutesOnly", async () => {
    const ev = await evaluateStack("shared", {}, (config) => {
      const vpn = JSON.parse(config["platform:vpn"]) as { offices: Array<Record<string, unknown>> };
      vpn.offices[0] = { ...vpn.offices[0], routing: "static", cidrs: ["192.168.0.0/20", "172.20.0.0/16"] };
      return { ...config, "platform:vpn": JSON.stringify(vpn) };
    });
    const conn = one(ev, T.vpnConnection, "shared-vpn-office");
    expect(conn.inputs.staticRoutesOnly).to.equal(true);
    expect(ofType(ev, T.vpnConnectionRoute).map((r) => [r.name, r.inputs.vpnConnectionId, r.inputs.destinationCidrBlock])).to.deep.equal([
      ["shared-vpn-office-route-192-168-0-0-20", conn.id, "192.168.0.0/20"],
      ["shared-vpn-office-route-172-20-0-0-16", conn.id, "172.20.0.0/16"],
    ]);
    // The positional names the routes were first given stay aliases.
    expect(ofType(ev, T.vpnConnectionRoute).map((r) => r.aliases.map((a) => String(a).split("::").pop()))).to.deep.equal([["shared-vpn-office-route-1"], ["shared-vpn-office-route-2"]]);
    expect(ofType(ev, T.networkAclRule).filter((r) => r.name.startsWith("shared-private-") && (r.inputs.ruleNumber as number) >= 500).map((r) => r.name)).to.deep.equal([
      "shared-private-in-500",
      "shared-private-out-500",
      "shared-private-in-520",
      "shared-private-out-520",
    ]);
  });

  it("passes a 32-bit office ASN as bgpAsnExtended (CreateCustomerGateway refuses BgpAsn above 2,147,483,647)", async () => {
    const ev = await evaluateStack("shared", {}, (config) => {
      const vpn = JSON.parse(config["platform:vpn"]) as { offices: Array<Record<string, unknown>> };
      vpn.offices[0] = { ...vpn.offices[0], bgpAsn: 4200000010 };
      return { ...config, "platform:vpn": JSON.stringify(vpn) };
    });
    const cgw = one(ev, T.customerGateway, "shared-vpn-office-cgw");
    expect(cgw.inputs).to.include({ type: "ipsec.1", bgpAsnExtended: "4200000010", ipAddress: "203.0.113.10" });
    expect(cgw.inputs).to.not.have.property("bgpAsn");
  });

  it("the shipped stack file is the one the test above edits", () => {
    expect(JSON.parse(engineConfigFor("shared")["platform:vpn"]).offices[0].routing).to.equal("bgp");
  });
});
