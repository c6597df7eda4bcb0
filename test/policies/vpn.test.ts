import { policies } from "../../policies/vpn";
import { Fixture } from "../support/policy-harness";
import { Case, policyTests } from "./cases";
import { prodFixture } from "./fixtures";

/** Both tunnels' options as infra/vpn writes them (infra/vpn/plan.ts tunnelArgs, config defaults). */
function modernTunnels(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of [1, 2]) {
    Object.assign(out, {
      [`tunnel${n}IkeVersions`]: ["ikev2"],
      [`tunnel${n}Phase1EncryptionAlgorithms`]: ["AES256-GCM-16", "AES256"],
      [`tunnel${n}Phase2EncryptionAlgorithms`]: ["AES256-GCM-16", "AES256"],
      [`tunnel${n}Phase1IntegrityAlgorithms`]: ["SHA2-256", "SHA2-384", "SHA2-512"],
      [`tunnel${n}Phase2IntegrityAlgorithms`]: ["SHA2-256", "SHA2-384", "SHA2-512"],
      [`tunnel${n}Phase1DhGroupNumbers`]: [19, 20, 21],
      [`tunnel${n}Phase2DhGroupNumbers`]: [19, 20, 21],
      [`tunnel${n}DpdTimeoutAction`]: "restart",
      [`tunnel${n}StartupAction`]: "start",
    });
  }
  return out;
}

/** A management stack with the office VPN as the program builds it: the compliant fixture. */
function sharedVpnFixture(): Fixture {
  const f = new Fixture({ stack: "shared" });
  f.addProvider("aws", { region: "ap-northeast-2", defaultTags: { tags: { Project: "platform", Environment: "shared", ManagedBy: "Pulumi" } } });
  const vpc = f.add("aws:ec2/vpc:Vpc", "shared-vpc", { cidrBlock: "10.0.0.0/16", tags: { Name: "shared" } });
  const rt = (name: string, tier: string) => f.add("aws:ec2/routeTable:RouteTable", name, { vpcId: vpc.id, tags: { Name: name, Tier: tier } });
  const privateRt = rt("shared-private-1", "private");
  rt("shared-isolated", "isolated");
  const vgw = f.add("aws:ec2/vpnGateway:VpnGateway", "shared-vpn-vgw", { vpcId: vpc.id, amazonSideAsn: "64512" });
  f.add("aws:ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation", "shared-vpn-propagate-private-1", { vpnGatewayId: vgw.id, routeTableId: privateRt.id });
  const cgw = f.add("aws:ec2/customerGateway:CustomerGateway", "shared-vpn-office-cgw", { type: "ipsec.1", bgpAsn: "65010", ipAddress: "203.0.113.10" });
  const conn = f.add("aws:ec2/vpnConnection:VpnConnection", "shared-vpn-office", {
    type: "ipsec.1",
    vpnGatewayId: vgw.id,
    customerGatewayId: cgw.id,
    staticRoutesOnly: true,
    presharedKeyStorage: "SecretsManager",
    ...modernTunnels(),
    tags: { Name: "shared-vpn-office", Office: "office", OfficeCidrs: "192.168.0.0/20" },
  });
  f.add("aws:ec2/vpnConnectionRoute:VpnConnectionRoute", "shared-vpn-office-route-1", { vpnConnectionId: conn.id, destinationCidrBlock: "192.168.0.0/20" });
  for (const n of [1, 2]) {
    f.add("aws:cloudwatch/metricAlarm:MetricAlarm", `shared-vpn-office-tunnel-${n}-down`, {
      namespace: "AWS/VPN",
      metricName: "TunnelState",
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: 3,
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      dimensions: { TunnelIpAddress: conn.attr(`tunnel${n}Address`) },
    });
  }
  return f;
}

const MODERN_ADVICE =
  'Set tunnel1IkeVersions to ["ikev2"], the encryption algorithms to AES256 or AES256-GCM-16, the integrity algorithms to SHA2-256 or stronger and the DH groups to 19, 20 or 21.';

const CASES: readonly Case[] = [
  {
    policy: "ec2-vpnconnection-disallow-any-office-cidr",
    title: "a static route sends 0.0.0.0/0 to the office",
    mutate: (f) => f.update("shared-vpn-office-route-1", (i) => (i.destinationCidrBlock = "0.0.0.0/0")),
    messages: ["The static route sends 0.0.0.0/0 into the VPN, so every packet the VPC sends would go to the office; route only the office's own networks."],
  },
  {
    policy: "ec2-vpnconnection-disallow-any-office-cidr",
    title: "the customer-side CIDR is 0.0.0.0/0",
    mutate: (f) => f.update("shared-vpn-office", (i) => (i.localIpv4NetworkCidr = "0.0.0.0/0")),
    messages: ["localIpv4NetworkCidr (the customer side) is set to 0.0.0.0/0; set it to the office's network, or leave it unset and let routing decide."],
  },
  {
    policy: "ec2-vpnconnection-disallow-any-office-cidr",
    title: "the office ranges include 0.0.0.0/0",
    mutate: (f) => f.update("shared-vpn-office", (i) => (i.tags = { Office: "office", OfficeCidrs: "192.168.0.0/20 0.0.0.0/0" })),
    messages: ["The office ranges (tag OfficeCidrs) include 0.0.0.0/0; list the office's own networks only."],
  },
  {
    policy: "ec2-vpnconnection-require-modern-tunnels",
    title: "tunnel 1 allows IKEv1 and AES128",
    mutate: (f) =>
      f.update("shared-vpn-office", (i) => {
        i.tunnel1IkeVersions = ["ikev1", "ikev2"];
        i.tunnel1Phase1EncryptionAlgorithms = ["AES128", "AES256"];
      }),
    messages: [`Tunnel 1 is not restricted to modern parameters: tunnel1IkeVersions allows ikev1; tunnel1Phase1EncryptionAlgorithms allows AES128. ${MODERN_ADVICE}`],
  },
  {
    policy: "ec2-vpnconnection-require-modern-tunnels",
    title: "tunnel 2's phase 2 DH groups are left to AWS's defaults",
    mutate: (f) => f.update("shared-vpn-office", (i) => delete i.tunnel2Phase2DhGroupNumbers),
    messages: [`Tunnel 2 is not restricted to modern parameters: tunnel2Phase2DhGroupNumbers is not set (AWS then allows groups 2 and 5). ${MODERN_ADVICE.replace("tunnel1", "tunnel2")}`],
  },
  {
    policy: "ec2-vpnconnection-require-modern-tunnels",
    title: "tunnel 1 allows SHA1 and DH group 14",
    mutate: (f) =>
      f.update("shared-vpn-office", (i) => {
        i.tunnel1Phase2IntegrityAlgorithms = ["SHA1"];
        i.tunnel1Phase1DhGroupNumbers = [14, 19];
      }),
    messages: [`Tunnel 1 is not restricted to modern parameters: tunnel1Phase2IntegrityAlgorithms allows SHA1; tunnel1Phase1DhGroupNumbers allows 14. ${MODERN_ADVICE}`],
  },
  {
    policy: "ec2-vpnconnection-disallow-plaintext-preshared-key",
    title: "the keys stay in the VPN service",
    mutate: (f) => f.update("shared-vpn-office", (i) => delete i.presharedKeyStorage),
    messages: [
      'The pre-shared keys are stored in the VPN service (presharedKeyStorage "Standard"), where anyone allowed DescribeVpnConnections reads them; set presharedKeyStorage: "SecretsManager".',
    ],
  },
  {
    policy: "ec2-vpnconnection-disallow-plaintext-preshared-key",
    title: "tunnel 2's key is set in the program",
    mutate: (f) => f.update("shared-vpn-office", (i) => (i.tunnel2PresharedKey = "example_key_0123456789")),
    messages: ['tunnel2PresharedKey is set in the program, so the key is in config and in state; remove it and let AWS generate the key (presharedKeyStorage: "SecretsManager").'],
  },
  {
    policy: "ec2-vpnconnection-require-tunnel-alarms",
    title: "tunnel 2 has no alarm",
    mutate: (f) => f.remove("shared-vpn-office-tunnel-2-down"),
    messages: [
      'VpnConnection "shared-vpn-office" has 1 TunnelState alarm; add an aws.cloudwatch.MetricAlarm on AWS/VPN TunnelState for each tunnel (dimension TunnelIpAddress: tunnel1Address, tunnel2Address).',
    ],
  },
  {
    policy: "ec2-vpnconnection-require-tunnel-alarms",
    title: "the alarms watch another metric",
    mutate: (f) => {
      f.update("shared-vpn-office-tunnel-1-down", (i) => (i.metricName = "TunnelDataIn"));
      f.update("shared-vpn-office-tunnel-2-down", (i) => (i.metricName = "TunnelDataIn"));
    },
    messages: [
      'VpnConnection "shared-vpn-office" has 0 TunnelState alarms; add an aws.cloudwatch.MetricAlarm on AWS/VPN TunnelState for each tunnel (dimension TunnelIpAddress: tunnel1Address, tunnel2Address).',
    ],
  },
  {
    policy: "ec2-vpngateway-disallow-propagation-outside-management",
    title: "office routes are propagated into the isolated tier",
    mutate: (f) => f.add("aws:ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation", "shared-vpn-propagate-isolated-1", { vpnGatewayId: f.get("shared-vpn-vgw").id, routeTableId: f.get("shared-isolated").id }),
    messages: [
      'VpnGatewayRoutePropagation "shared-vpn-propagate-isolated-1" propagates office routes into the isolated route table "shared-isolated"; the data tier must have no route to the office.',
    ],
  },
  {
    policy: "ec2-vpngateway-disallow-propagation-outside-management",
    title: "an environment builds its own gateway and propagates it",
    fixture: prodFixture,
    config: "prod",
    mutate: (f) => {
      const vgw = f.add("aws:ec2/vpnGateway:VpnGateway", "prod-vgw", { vpcId: f.get("prod-vpc").id });
      f.add("aws:ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation", "prod-vgw-private-1", { vpnGatewayId: vgw.id, routeTableId: f.get("prod-private-rt-1").id });
    },
    messages: [
      'VpnGateway "prod-vgw" is in an environment stack; the office VPN belongs to the management VPC, and environments are reached through the bastion (docs/vpn.md).',
      'VpnGatewayRoutePropagation "prod-vgw-private-1" propagates office routes into an environment\'s route table; propagate only in the management stack (docs/vpn.md).',
    ],
  },
];

policyTests("policies/vpn.ts", policies, CASES, sharedVpnFixture, "shared");
