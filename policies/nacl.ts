import { Policies } from "@pulumi/policy";
import { resourcePolicy, stackPolicy } from "./lib/define";
import { describe } from "./lib/graph";
import { isAnywhere } from "./lib/cidr";
import { PortRange, coversAnyTcpPort, describeRange, isAllPorts, portRange, portsSchema } from "./lib/ports";
import { T } from "./lib/types";

/**
 * Network ACLs: the subnet-level backstop. A rule "covers" a port when its range includes it, so
 * a 1024-65535 allow from anywhere opens RDP (3389) as far as Security Hub EC2.21 and CIS 5.1 are
 * concerned; the network planner splits ephemeral ranges around it for that reason.
 */

interface NaclEntry {
  readonly ruleNumber?: number;
  readonly range: PortRange;
  readonly cidr?: string;
}

type P = Readonly<Record<string, unknown>>;

/** Inbound allow entries of a NetworkAcl / DefaultNetworkAcl (inline) or a NetworkAclRule. */
function inboundAllows(type: string, p: P): NaclEntry[] {
  const entries: P[] =
    type === T.networkAclRule
      ? p.egress === true || p.ruleAction !== "allow"
        ? []
        : [{ ...pick(p), action: "allow" }]
      : Array.isArray(p.ingress)
        ? (p.ingress as P[]).map((e) => ({ ...pick(e), action: e.action }))
        : [];
  return entries
    .filter((e) => String(e.action).toLowerCase() === "allow")
    .flatMap((e) => {
      const range = portRange(e.protocol, e.fromPort, e.toPort);
      const ruleNumber = typeof e.ruleNumber === "number" ? { ruleNumber: e.ruleNumber } : typeof e.ruleNo === "number" ? { ruleNumber: e.ruleNo } : {};
      return [e.cidrBlock, e.ipv6CidrBlock]
        .filter((c): c is string => typeof c === "string" && c !== "")
        .map((cidr) => ({ ...ruleNumber, range, cidr }));
    });
}

function pick(e: P): Record<string, unknown> {
  return {
    protocol: e.protocol,
    fromPort: e.fromPort,
    toPort: e.toPort,
    cidrBlock: e.cidrBlock,
    ipv6CidrBlock: e.ipv6CidrBlock,
    ruleNumber: e.ruleNumber,
    ruleNo: e.ruleNo,
  };
}

const NACL_TYPES = [T.networkAcl, T.networkAclRule, T.defaultNetworkAcl];

function label(e: NaclEntry): string {
  return e.ruleNumber !== undefined ? `Network ACL rule ${e.ruleNumber}` : "A network ACL entry";
}

function publicPortPolicy(options: {
  name: string;
  description: string;
  catalog: string[];
  ports: number[];
  what: string;
  severity: "critical" | "high";
}) {
  return resourcePolicy<{ ports: number[] }>({
    name: options.name,
    description: options.description,
    enforcementLevel: "mandatory",
    category: "security",
    severity: options.severity,
    catalog: options.catalog,
    configSchema: { properties: { ports: portsSchema(options.ports, `${options.what} ports.`) } },
    defaults: { ports: options.ports },
    types: NACL_TYPES,
    validate: (r, report) => {
      for (const e of inboundAllows(r.type, r.props)) {
        if (!isAnywhere(e.cidr)) continue;
        const hit = coversAnyTcpPort(e.range, r.config.ports);
        if (hit.length > 0) {
          report(
            `${label(e)} allows ${describeRange(e.range)} from ${e.cidr}, which includes ${options.what} port ${hit.join(", ")}; ` +
              `narrow the source, or split the port range around ${hit.join(", ")}.`,
          );
        }
      }
    },
  });
}

export const networkAclDisallowPublicAdminIngress = publicPortPolicy({
  name: "ec2-networkacl-disallow-public-admin-ingress",
  description: "Network ACLs must not allow SSH or RDP in from 0.0.0.0/0 or ::/0.",
  catalog: ["6"],
  ports: [22, 3389],
  what: "admin",
  severity: "critical",
});

export const networkAclDisallowPublicFtpIngress = publicPortPolicy({
  name: "ec2-networkacl-disallow-public-ftp-ingress",
  description: "Network ACLs must not allow FTP (20, 21) in from 0.0.0.0/0 or ::/0.",
  catalog: ["7"],
  ports: [20, 21],
  what: "FTP",
  severity: "high",
});

export const networkAclDisallowPublicAllPortsIngress = resourcePolicy({
  name: "ec2-networkacl-disallow-public-all-ports-ingress",
  description: "Network ACLs should not allow every port or protocol in from the internet.",
  enforcementLevel: "advisory",
  category: "security",
  severity: "medium",
  catalog: ["8"],
  types: NACL_TYPES,
  validate: (r, report) => {
    for (const e of inboundAllows(r.type, r.props)) {
      if (isAnywhere(e.cidr) && isAllPorts(e.range)) {
        report(`${label(e)} allows ${describeRange(e.range)} from ${e.cidr}; allow only the ports the tier serves plus ephemeral return ports.`);
      }
    }
  },
});

export const networkAclRequireAssociation = stackPolicy({
  name: "ec2-networkacl-require-association",
  description: "Every custom network ACL should be associated with at least one subnet.",
  enforcementLevel: "advisory",
  category: "operations",
  severity: "low",
  catalog: ["9", "X16"],
  appliesTo: [T.networkAcl],
  validate: ({ graph }, report) => {
    for (const acl of graph.ofType(T.networkAcl)) {
      const viaAssociation = graph.referrers(acl, T.networkAclAssociation, "networkAclId").length > 0;
      const inline = (acl.propertyDependencies.subnetIds ?? []).length > 0 || graph.refs(acl, "subnetIds", [T.subnet]).length > 0;
      if (!viaAssociation && !inline) {
        report(`${describe(acl)} is not associated with any subnet; associate it with aws.ec2.NetworkAclAssociation or delete it.`, acl.urn);
      }
    }
  },
});

export const policies: Policies = [
  networkAclDisallowPublicAdminIngress,
  networkAclDisallowPublicFtpIngress,
  networkAclDisallowPublicAllPortsIngress,
  networkAclRequireAssociation,
];
