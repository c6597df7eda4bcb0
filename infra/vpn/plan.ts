import type { OfficeConfig, TunnelConfig, VpnConfig } from "./config";

/**
 * Pure planning for the office VPN: names, tunnel arguments and alarm shapes. No Pulumi here, so
 * the component (./component.ts), the policy pack and the tests share one definition.
 */

/** Both tunnels of a VPN connection: AWS always builds two, on two different AWS endpoints. */
export const TUNNELS = [1, 2] as const;
export type TunnelNumber = (typeof TUNNELS)[number];

/**
 * Where AWS keeps the pre-shared keys it generates. With `SecretsManager` the keys live in a secret
 * (`presharedKeyArn`) and the VPN service no longer returns them: DescribeVpnConnections answers
 * with a `PreSharedKeyArn` and tunnel options without `PreSharedKey`
 * (https://docs.aws.amazon.com/vpn/latest/s2svpn/enhanced-security-storage.html; the provider
 * reads the key back as redacted, hashicorp/terraform-provider-aws#42819). No `tunnelNPresharedKey`
 * is ever passed, so no key is in config or in the program's inputs either.
 */
export const PRESHARED_KEY_STORAGE = "SecretsManager";

/**
 * Outputs that could carry key material, kept secret in state even if AWS returned them. @pulumi/aws
 * 7.48 already lists these in VpnConnection's additionalSecretOutputs (ec2/vpnConnection.js); the
 * component repeats them so a provider upgrade that dropped one would not put a key in clear.
 */
export const VPN_SECRET_OUTPUTS = ["customerGatewayConfiguration", "tunnel1PresharedKey", "tunnel2PresharedKey"] as const;

/** The `aws.ec2.VpnConnection` arguments for tunnel `n` (`tunnel1IkeVersions`, …). */
export function tunnelArgs(tunnel: TunnelConfig, n: TunnelNumber, logGroupArn?: unknown): Record<string, unknown> {
  const p = `tunnel${n}`;
  return {
    [`${p}IkeVersions`]: [...tunnel.ikeVersions],
    [`${p}Phase1EncryptionAlgorithms`]: [...tunnel.phase1EncryptionAlgorithms],
    [`${p}Phase1IntegrityAlgorithms`]: [...tunnel.phase1IntegrityAlgorithms],
    [`${p}Phase1DhGroupNumbers`]: [...tunnel.phase1DhGroupNumbers],
    [`${p}Phase2EncryptionAlgorithms`]: [...tunnel.phase2EncryptionAlgorithms],
    [`${p}Phase2IntegrityAlgorithms`]: [...tunnel.phase2IntegrityAlgorithms],
    [`${p}Phase2DhGroupNumbers`]: [...tunnel.phase2DhGroupNumbers],
    [`${p}DpdTimeoutAction`]: tunnel.dpdTimeoutAction,
    [`${p}StartupAction`]: tunnel.startupAction,
    ...(logGroupArn !== undefined
      ? { [`${p}LogOptions`]: { cloudwatchLogOptions: { logEnabled: true, logGroupArn, logOutputFormat: "json" } } }
      : {}),
  };
}

/**
 * The customer gateway's ASN argument. CreateCustomerGateway takes `BgpAsn` as a 32-bit signed
 * integer (1–2,147,483,647) and refuses anything larger: a 4-byte ASN above that, such as the
 * private range 4200000000–4294967294 that config accepts, must go in `BgpAsnExtended`
 * (2,147,483,648–4,294,967,295), and the two conflict (Amazon EC2 API Reference,
 * CreateCustomerGateway; @pulumi/aws 7.48 `ec2.CustomerGateway` `bgpAsn`/`bgpAsnExtended`, which
 * the provider validates with the same bounds).
 */
export const MAX_BGP_ASN = 2147483647;
export function customerGatewayAsnArgs(asn: number): { bgpAsn: string } | { bgpAsnExtended: string } {
  return asn > MAX_BGP_ASN ? { bgpAsnExtended: String(asn) } : { bgpAsn: String(asn) };
}

/** A CIDR as a logical-name segment: `192.168.0.0/20` → `192-168-0-0-20`. */
export const cidrNameKey = (cidr: string): string => cidr.replace(/[./]/g, "-");

/**
 * Logical names of an office's resources: a contract (renames replace the VPN). A static route is
 * named by its range, not its position: a route has no update (destination is ForceNew), so with
 * positional names removing the first of two ranges would re-create route 1 as the second range,
 * beside route 2 that already routes it, and then delete route 2, and the office's remaining
 * range would be left with no route in AWS while the state shows one.
 */
export function officeNames(component: string, office: string) {
  return {
    customerGateway: `${component}-${office}-cgw`,
    connection: `${component}-${office}`,
    logGroup: `${component}-${office}-logs`,
    route: (cidr: string) => `${component}-${office}-route-${cidrNameKey(cidr)}`,
    /** The positional name routes had before (an alias, so a deployed route keeps its state). */
    positionalRoute: (i: number) => `${component}-${office}-route-${i + 1}`,
    alarm: (n: TunnelNumber) => `${component}-${office}-tunnel-${n}-down`,
  };
}

/**
 * The tunnel-state alarm: AWS/VPN `TunnelState` is 1 while the tunnel is UP (static) or its BGP
 * session ESTABLISHED, 0 otherwise ("Monitoring your Site-to-Site VPN tunnels using Amazon
 * CloudWatch", AWS Site-to-Site VPN User Guide). One alarm per tunnel, on the dimension
 * `TunnelIpAddress` (the AWS endpoint's outside address), so the alarm says which tunnel is down:
 * the connection-wide `VpnId` series averages both and reads 0.5 with one tunnel down.
 * Missing data counts as down: the VPN service publishes the metric every five minutes while the
 * connection exists.
 */
export const TUNNEL_ALARM = {
  namespace: "AWS/VPN",
  metricName: "TunnelState",
  statistic: "Maximum",
  period: 300,
  evaluationPeriods: 3,
  comparisonOperator: "LessThanThreshold",
  threshold: 1,
  treatMissingData: "breaching",
} as const;

/** The static routes of an office (none with BGP, where the office advertises them). */
export function staticRoutes(office: Pick<OfficeConfig, "routing" | "cidrs">): readonly string[] {
  return office.routing === "static" ? office.cidrs : [];
}

/** Resource counts of a VPN config: what preflight and the tests expect. */
export function vpnResourceCounts(vpn: Pick<VpnConfig, "offices">, routeTables: number) {
  const routes = vpn.offices.reduce((n, o) => n + staticRoutes(o).length, 0);
  return {
    vpnGateways: 1,
    customerGateways: vpn.offices.length,
    connections: vpn.offices.length,
    routes,
    alarms: vpn.offices.length * TUNNELS.length,
    logGroups: vpn.offices.length,
    propagations: routeTables,
  };
}
