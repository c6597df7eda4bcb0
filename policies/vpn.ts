import { Policies } from "@pulumi/policy";
import { resourcePolicy, stackPolicy } from "./lib/define";
import { Resource, describe, prop } from "./lib/graph";
import { T } from "./lib/types";
import { forEachKnown } from "./lib/unknowns";

/**
 * The office site-to-site VPN (infra/vpn, docs/vpn.md): what reaches the management VPC through
 * it, how its tunnels are protected, and who notices when one goes down.
 */

const ANY = "0.0.0.0/0";

/**
 * Modern IKE/IPsec parameters. What AWS allows when a tunnel option is left unset (AWS
 * Site-to-Site VPN User Guide, "Tunnel options for your Site-to-Site VPN connection"): IKE
 * versions ikev1 and ikev2; AES128 and AES128-GCM-16 besides AES256(-GCM-16); SHA1 besides SHA-2;
 * DH group 2 in phase 1 and groups 2 and 5 in phase 2. RFC 8247 deprecates those.
 */
export const MODERN_TUNNEL = {
  ikeVersions: ["ikev2"],
  encryption: ["AES256", "AES256-GCM-16"],
  integrity: ["SHA2-256", "SHA2-384", "SHA2-512"],
  dhGroups: [15, 16, 17, 18, 19, 20, 21],
} as const;

/** What AWS allows for each unset option, worded for the message. */
const AWS_DEFAULT_WEAKNESS: Record<string, string> = {
  IkeVersions: "ikev1",
  Phase1EncryptionAlgorithms: "AES128",
  Phase2EncryptionAlgorithms: "AES128",
  Phase1IntegrityAlgorithms: "SHA1",
  Phase2IntegrityAlgorithms: "SHA1",
  Phase1DhGroupNumbers: "group 2",
  Phase2DhGroupNumbers: "groups 2 and 5",
};

/** The weak values of one tunnel option, or why it is weak when unset; undefined when it is modern. */
function weakOption(value: unknown, field: string, allowed: readonly (string | number)[]): string | undefined {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
    return `${field} is not set (AWS then allows ${AWS_DEFAULT_WEAKNESS[field.replace(/^tunnel\d/, "")]})`;
  }
  const list = Array.isArray(value) ? value : [value];
  const weak = list.filter((v) => !allowed.includes(v as string | number));
  return weak.length > 0 ? `${field} allows ${weak.join(", ")}` : undefined;
}

/** Problems of tunnel `n`'s options (empty when they are modern). */
export function tunnelWeaknesses(props: Readonly<Record<string, unknown>>, n: 1 | 2): string[] {
  const p = `tunnel${n}`;
  const checks: Array<[string, readonly (string | number)[]]> = [
    ["IkeVersions", MODERN_TUNNEL.ikeVersions],
    ["Phase1EncryptionAlgorithms", MODERN_TUNNEL.encryption],
    ["Phase2EncryptionAlgorithms", MODERN_TUNNEL.encryption],
    ["Phase1IntegrityAlgorithms", MODERN_TUNNEL.integrity],
    ["Phase2IntegrityAlgorithms", MODERN_TUNNEL.integrity],
    ["Phase1DhGroupNumbers", MODERN_TUNNEL.dhGroups],
    ["Phase2DhGroupNumbers", MODERN_TUNNEL.dhGroups],
  ];
  return checks.map(([f, allowed]) => weakOption(props[`${p}${f}`], `${p}${f}`, allowed)).filter((w): w is string => w !== undefined);
}

export const vpnConnectionDisallowAnyOfficeCidr = resourcePolicy({
  name: "ec2-vpnconnection-disallow-any-office-cidr",
  description: "A site-to-site VPN must carry the office's own networks only: no 0.0.0.0/0 static route, customer-side CIDR or office range.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: [],
  types: [T.vpnConnection, T.vpnConnectionRoute],
  validate: (r, report) => {
    if (r.type === T.vpnConnectionRoute) {
      if (r.props.destinationCidrBlock === ANY) report("The static route sends 0.0.0.0/0 into the VPN, so every packet the VPC sends would go to the office; route only the office's own networks.");
      return;
    }
    if (r.props.localIpv4NetworkCidr === ANY) {
      report("localIpv4NetworkCidr (the customer side) is set to 0.0.0.0/0; set it to the office's network, or leave it unset and let routing decide.");
    }
    const tags = (r.props.tags ?? {}) as Record<string, unknown>;
    const cidrs = typeof tags.OfficeCidrs === "string" ? tags.OfficeCidrs.split(/\s+/) : [];
    if (cidrs.includes(ANY)) report("The office ranges (tag OfficeCidrs) include 0.0.0.0/0; list the office's own networks only.");
  },
});

export const vpnConnectionRequireModernTunnels = resourcePolicy({
  name: "ec2-vpnconnection-require-modern-tunnels",
  description: "Both tunnels of a site-to-site VPN must be restricted to IKEv2, AES-256, SHA-2 and modern Diffie-Hellman groups.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: [],
  types: [T.vpnConnection],
  validate: (r, report) => {
    for (const n of [1, 2] as const) {
      const weak = tunnelWeaknesses(r.props, n);
      if (weak.length > 0) {
        report(
          `Tunnel ${n} is not restricted to modern parameters: ${weak.join("; ")}. Set tunnel${n}IkeVersions to ["ikev2"], the encryption algorithms to AES256 or AES256-GCM-16, the integrity algorithms to SHA2-256 or stronger and the DH groups to 19, 20 or 21.`,
        );
      }
    }
  },
});

export const vpnConnectionDisallowPlaintextPresharedKey = resourcePolicy({
  name: "ec2-vpnconnection-disallow-plaintext-preshared-key",
  description: "Tunnel pre-shared keys must be generated by AWS and kept in Secrets Manager, never set in the program's inputs.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: [],
  types: [T.vpnConnection],
  validate: (r, report) => {
    for (const n of [1, 2] as const) {
      if (r.props[`tunnel${n}PresharedKey`] !== undefined) {
        report(`tunnel${n}PresharedKey is set in the program, so the key is in config and in state; remove it and let AWS generate the key (presharedKeyStorage: "SecretsManager").`);
      }
    }
    if (r.props.presharedKeyStorage !== "SecretsManager") {
      report(`The pre-shared keys are stored in the VPN service (presharedKeyStorage ${JSON.stringify(r.props.presharedKeyStorage ?? "Standard")}), where anyone allowed DescribeVpnConnections reads them; set presharedKeyStorage: "SecretsManager".`);
    }
  },
});

/** The values a resource's property holds, flattened (dimension maps, lists). */
function valuesOf(v: unknown): unknown[] {
  if (Array.isArray(v)) return v.flatMap(valuesOf);
  if (typeof v === "object" && v !== null) return Object.values(v).flatMap(valuesOf);
  return [v];
}

/** TunnelState alarms that watch `conn`: by recorded dependency, else by the tunnel address or connection id they name. */
function tunnelAlarmsOf(alarms: readonly Resource[], conn: Resource): Resource[] {
  const known = new Set([conn.props.id, conn.props.tunnel1Address, conn.props.tunnel2Address].filter((v) => typeof v === "string" && v !== ""));
  return alarms.filter(
    (a) => (a.propertyDependencies.dimensions ?? []).some((d) => d.urn === conn.urn) || valuesOf(a.props.dimensions).some((v) => known.has(v as string)),
  );
}

export const vpnConnectionRequireTunnelAlarms = stackPolicy({
  name: "ec2-vpnconnection-require-tunnel-alarms",
  description: "Every site-to-site VPN connection must have a TunnelState alarm per tunnel, so a tunnel that goes down is noticed while the other still carries traffic.",
  enforcementLevel: "mandatory",
  category: "operations",
  severity: "medium",
  catalog: [],
  appliesTo: [T.vpnConnection],
  validate: ({ graph }, report) => {
    const alarms = graph.ofType(T.metricAlarm).filter((a) => prop(a, "namespace") === "AWS/VPN" && prop(a, "metricName") === "TunnelState");
    forEachKnown(graph.ofType(T.vpnConnection), (conn) => {
      const count = tunnelAlarmsOf(alarms, conn).length;
      if (count < 2) {
        report(
          `${describe(conn)} has ${count} TunnelState alarm${count === 1 ? "" : "s"}; add an aws.cloudwatch.MetricAlarm on AWS/VPN TunnelState for each tunnel (dimension TunnelIpAddress: tunnel1Address, tunnel2Address).`,
          conn.urn,
        );
      }
    });
  },
});

export const vpnGatewayDisallowPropagationOutsideManagement = stackPolicy({
  name: "ec2-vpngateway-disallow-propagation-outside-management",
  description: "A virtual private gateway may propagate office routes only into the management VPC's public and private route tables, never an environment's or an isolated tier's.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: [],
  appliesTo: [T.vpnGateway, T.vpnGatewayRoutePropagation],
  validate: ({ graph }, report) => {
    // An environment reads the management stack through a StackReference (infra/peering); the
    // management stack reads nobody.
    const environment = graph.ofType(T.stackReference).length > 0;
    if (environment) {
      for (const gw of graph.ofType(T.vpnGateway)) {
        report(`${describe(gw)} is in an environment stack; the office VPN belongs to the management VPC, and environments are reached through the bastion (docs/vpn.md).`, gw.urn);
      }
    }
    forEachKnown(graph.ofType(T.vpnGatewayRoutePropagation), (p) => {
      if (environment) {
        report(`${describe(p)} propagates office routes into an environment's route table; propagate only in the management stack (docs/vpn.md).`, p.urn);
        return;
      }
      for (const rt of graph.refs(p, "routeTableId", [T.routeTable])) {
        if (graph.tags(rt).Tier === "isolated") {
          report(`${describe(p)} propagates office routes into the isolated route table "${rt.name}"; the data tier must have no route to the office.`, p.urn);
        }
      }
    });
  },
});

export const policies: Policies = [
  vpnConnectionDisallowAnyOfficeCidr,
  vpnConnectionRequireModernTunnels,
  vpnConnectionDisallowPlaintextPresharedKey,
  vpnConnectionRequireTunnelAlarms,
  vpnGatewayDisallowPropagationOutsideManagement,
];
