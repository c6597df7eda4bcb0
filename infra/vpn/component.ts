import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { OfficeConfig, OfficeTier, TunnelConfig } from "./config";
import { PRESHARED_KEY_STORAGE, TUNNELS, TUNNEL_ALARM, VPN_SECRET_OUTPUTS, customerGatewayAsnArgs, officeNames, staticRoutes, tunnelArgs } from "./plan";

export interface OfficeVpnArgs {
  /** The management VPC the virtual private gateway attaches to. */
  readonly vpcId: pulumi.Input<string>;
  /** The gateway's BGP ASN (validated private). */
  readonly amazonSideAsn: number;
  /** One customer gateway and VPN connection each. Decides how many resources exist: a plain value. */
  readonly offices: readonly OfficeConfig[];
  /** Both tunnels' IKE/IPsec options. */
  readonly tunnel: TunnelConfig;
  /** Route tables of the tiers the offices reach, by tier: the gateway propagates office routes into these only. */
  readonly routeTableIds: Readonly<Partial<Record<OfficeTier, readonly pulumi.Input<string>[]>>>;
  /** The stack's log-group namespace; tunnel logs go to `<prefix>/vpn/<office>`. */
  readonly logGroupPrefix: string;
  /** The stack's logs key (its policy admits log groups under the prefix). */
  readonly logsKmsKeyArn: pulumi.Input<string>;
  readonly logRetentionDays: number;
  /** SNS topic the tunnel alarms notify. @default - none (docs/vpn.md, "Alarms") */
  readonly alarmTopicArn?: string;
}

/**
 * The office site-to-site VPN: a virtual private gateway attached to the management VPC, and per
 * office a customer gateway, a VPN connection (two tunnels, IKEv2, AWS-generated pre-shared keys
 * kept in Secrets Manager), its static routes when it does not speak BGP, tunnel logs and one
 * tunnel-state alarm per tunnel. The gateway propagates the office routes into the route tables
 * of the granted tiers; NACL entries (infra/network/nacl.ts, rules 500–599) and the bastion's
 * group (infra/bastion) are derived from the same config by their components.
 *
 * Why a virtual private gateway and not a transit gateway: docs/vpn.md.
 *
 * Children (names derive from `name`; a contract): `<name>-vgw`, `<name>-propagate-<tier>-<n>`,
 * and per office `<name>-<office>-cgw`, `<name>-<office>` (the connection),
 * `<name>-<office>-logs`, `<name>-<office>-route-<cidr, dots and slash as dashes>` (static routing only),
 * `<name>-<office>-tunnel-<1|2>-down` (alarms).
 */
export class OfficeVpn extends pulumi.ComponentResource {
  public readonly vpnGatewayId: pulumi.Output<string>;
  /** By office name. */
  public readonly customerGatewayIds: pulumi.Output<Record<string, string>>;
  /** By office name. */
  public readonly vpnConnectionIds: pulumi.Output<Record<string, string>>;
  /** The Secrets Manager secret holding each connection's pre-shared keys, by office name. */
  public readonly presharedKeyArns: pulumi.Output<Record<string, string>>;
  /** The two AWS endpoints (outside IPs) of each office's tunnels: what the office device dials. */
  public readonly tunnelAddresses: pulumi.Output<Record<string, string[]>>;
  public readonly connections: Readonly<Record<string, aws.ec2.VpnConnection>>;

  constructor(name: string, args: OfficeVpnArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("platform:vpn:OfficeVpn", name, {}, opts);
    const parent = { parent: this };

    const vgw = new aws.ec2.VpnGateway(
      `${name}-vgw`,
      { vpcId: args.vpcId, amazonSideAsn: String(args.amazonSideAsn), tags: { Name: `${name}-vgw` } },
      parent,
    );
    // Propagation writes the office routes (BGP-learnt or static) into these tables as they change.
    // A propagated route never overrides a static one for the same destination (VPC User Guide,
    // "Route priority"), so an office advertising 0.0.0.0/0 cannot steal the NAT's default route;
    // longest prefix still decides first, and the gateway filters nothing it learns over BGP, so
    // more specific advertisements (0.0.0.0/1 + 128.0.0.0/1) would: the office device must
    // advertise exactly its `cidrs` (docs/vpn.md, "Routing: BGP").
    for (const [tier, ids] of Object.entries(args.routeTableIds) as [OfficeTier, readonly pulumi.Input<string>[]][]) {
      ids.forEach((routeTableId, i) =>
        new aws.ec2.VpnGatewayRoutePropagation(`${name}-propagate-${tier}-${i + 1}`, { vpnGatewayId: vgw.id, routeTableId }, parent),
      );
    }

    const cgwIds: Record<string, pulumi.Output<string>> = {};
    const connIds: Record<string, pulumi.Output<string>> = {};
    const keyArns: Record<string, pulumi.Output<string>> = {};
    const addresses: Record<string, pulumi.Output<string[]>> = {};
    const connections: Record<string, aws.ec2.VpnConnection> = {};
    for (const office of args.offices) {
      const n = officeNames(name, office.name);
      const cgw = new aws.ec2.CustomerGateway(
        n.customerGateway,
        { type: "ipsec.1", ...customerGatewayAsnArgs(office.bgpAsn), ipAddress: office.publicIp, tags: { Name: n.customerGateway, Office: office.name } },
        parent,
      );
      const logs = new aws.cloudwatch.LogGroup(
        n.logGroup,
        {
          name: `${args.logGroupPrefix}/vpn/${office.name}`,
          retentionInDays: args.logRetentionDays,
          kmsKeyId: args.logsKmsKeyArn,
          tags: { Name: n.logGroup, Office: office.name },
        },
        parent,
      );
      const connection = new aws.ec2.VpnConnection(
        n.connection,
        {
          type: "ipsec.1",
          vpnGatewayId: vgw.id,
          customerGatewayId: cgw.id,
          staticRoutesOnly: office.routing === "static",
          presharedKeyStorage: PRESHARED_KEY_STORAGE,
          ...tunnelArgs(args.tunnel, 1, logs.arn),
          ...tunnelArgs(args.tunnel, 2, logs.arn),
          // The office's ranges, on the connection itself: what BGP will advertise is not in any
          // API answer until the tunnel is up, and `platform reach` and the policy pack read it here.
          tags: { Name: n.connection, Office: office.name, OfficeCidrs: office.cidrs.join(" ") },
        },
        // Delete before replace: CreateVpnConnection is idempotent ("If you perform the operation
        // more than once, Amazon EC2 doesn't return an error", Amazon EC2 API Reference), so a
        // replacement created first, on the same customer and virtual private gateways, is handed
        // the existing connection's id, and deleting the "old" one then deletes the connection the
        // new state points at (hashicorp/terraform#17631). A replacement (routing bgp <-> static,
        // staticRoutesOnly is ForceNew) drops the office either way; this way AWS ends with one.
        { parent: this, additionalSecretOutputs: [...VPN_SECRET_OUTPUTS], deleteBeforeReplace: true },
      );
      staticRoutes(office).forEach((cidr, i) =>
        new aws.ec2.VpnConnectionRoute(
          n.route(cidr),
          { vpnConnectionId: connection.id, destinationCidrBlock: cidr },
          { parent: this, aliases: [{ name: n.positionalRoute(i) }] },
        ),
      );
      const actions = args.alarmTopicArn ? [args.alarmTopicArn] : [];
      for (const t of TUNNELS) {
        const address = t === 1 ? connection.tunnel1Address : connection.tunnel2Address;
        new aws.cloudwatch.MetricAlarm(
          n.alarm(t),
          {
            name: `${name}-${office.name}-tunnel-${t}-down`,
            alarmDescription: `VPN tunnel ${t} of office ${office.name} is down (TunnelState < 1 for 15 minutes); the other tunnel carries the traffic until it is back.`,
            ...TUNNEL_ALARM,
            dimensions: { TunnelIpAddress: address },
            alarmActions: actions,
            okActions: actions,
            tags: { Name: n.alarm(t), Office: office.name },
          },
          parent,
        );
      }
      cgwIds[office.name] = cgw.id;
      connIds[office.name] = connection.id;
      keyArns[office.name] = connection.presharedKeyArn;
      addresses[office.name] = pulumi.all([connection.tunnel1Address, connection.tunnel2Address]);
      connections[office.name] = connection;
    }

    this.vpnGatewayId = vgw.id;
    this.customerGatewayIds = pulumi.all(cgwIds);
    this.vpnConnectionIds = pulumi.all(connIds);
    this.presharedKeyArns = pulumi.all(keyArns);
    this.tunnelAddresses = pulumi.all(addresses);
    this.connections = connections;
    this.registerOutputs({
      vpnGatewayId: this.vpnGatewayId,
      customerGatewayIds: this.customerGatewayIds,
      vpnConnectionIds: this.vpnConnectionIds,
      presharedKeyArns: this.presharedKeyArns,
      tunnelAddresses: this.tunnelAddresses,
    });
  }
}
