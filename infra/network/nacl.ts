import { Tier } from "./plan";

/**
 * Network ACL rules generated from tier-to-tier traffic intent. Pure: no Pulumi, unit-tested.
 *
 * NACLs are stateless, so every allowed flow needs its return path (ephemeral ports) spelled out.
 * Security groups remain the primary control; NACLs are the subnet-level backstop that keeps, for
 * example, the isolated tier unreachable even if a security group is misconfigured.
 *
 * Rule numbers are a contract (changing one replaces the rule) and leave gaps:
 *
 * | range   | purpose                                                        |
 * |---------|----------------------------------------------------------------|
 * | 100–199 | this VPC's own intents (web, service ports, database, SSH)     |
 * | 200–299 | ephemeral return traffic                                       |
 * | 300–399 | the management VPC (bastion, shared tooling) over peering      |
 * | 400–499 | peering (infra/peering/plan.ts): environments' slots in the    |
 * |         | management VPC's NACLs; an environment's flows to management   |
 * | 500–599 | the office VPN (management VPC only): office CIDR i owns       |
 * |         | 500+20i … 519+20i (planOfficeNaclRules)                         |
 *
 * Invariants (enforced by tests and by the policy pack): no rule opens 22 or 3389 to 0.0.0.0/0;
 * the isolated tier admits only the database port, from the private tier and the management VPC,
 * and (with a session store) the cache port from the private tier alone.
 */
export const EPHEMERAL_FROM = 1024;
export const EPHEMERAL_TO = 65535;
export const ANYWHERE = "0.0.0.0/0";
/** Admin ports that must never be reachable from the internet (SSH, RDP). */
export const ADMIN_PORTS = [22, 3389] as const;

export interface NaclRule {
  readonly tier: Tier;
  readonly egress: boolean;
  readonly ruleNumber: number;
  readonly protocol: "tcp" | "udp";
  readonly action: "allow" | "deny";
  readonly cidrBlock: string;
  readonly fromPort: number;
  readonly toPort: number;
  /** Why the rule exists; becomes part of the logical name and the review output. */
  readonly purpose: string;
}

export interface NaclIntent {
  readonly vpcCidr: string;
  readonly tierCidrs: Readonly<Record<Tier, string>>;
  /** Container ports the ALB (public tier) forwards to in the private tier. */
  readonly servicePorts: readonly number[];
  /** The database port the isolated tier serves (5432 PostgreSQL, 3306 MySQL). */
  readonly databasePort: number;
  /**
   * The session store's port (6379) the isolated tier serves to the private tier, when the stack
   * has a cache. Neither the bastion nor the management VPC is admitted to it (docs/cache.md).
   * @default - no cache rules
   */
  readonly cachePort?: number;
  /** Management (shared) VPC CIDRs allowed into the private and isolated tiers. */
  readonly managementCidrs: readonly string[];
  /** Office CIDRs allowed to SSH to a bastion in the public tier (empty: Session Manager only). */
  readonly sshSourceCidrs: readonly string[];
  /**
   * Whether the private tier hosts interface endpoints (their ENIs sit in the private subnets).
   * @default false
   */
  readonly interfaceEndpoints?: boolean;
  /** The office VPN's entries (management VPC only; see OfficeNaclIntent). @default - none */
  readonly office?: OfficeNaclIntent;
}

/**
 * What the offices behind the site-to-site VPN reach in this VPC: their CIDRs, the tiers the
 * virtual private gateway's routes are propagated into, and the TCP ports they may open there.
 */
export interface OfficeNaclIntent {
  readonly cidrs: readonly string[];
  readonly tiers: readonly Tier[];
  readonly ports: readonly number[];
}

/** An allow rule for TCP ports fromPort..toPort: the only kind of rule the planners emit. */
export const allowTcp = (
  tier: Tier,
  egress: boolean,
  ruleNumber: number,
  cidrBlock: string,
  fromPort: number,
  toPort: number,
  purpose: string,
): NaclRule => ({ tier, egress, ruleNumber, protocol: "tcp", action: "allow", cidrBlock, fromPort, toPort, purpose });
const tcp = allowTcp;

/**
 * Return traffic from the internet, as two rules that step around RDP (3389): a single
 * 1024-65535 allow from 0.0.0.0/0 would "open" 3389 to the world in the eyes of Security Hub
 * EC2.21 and CIS 5.1, and a NAT'd connection landing on source port 3389 is rare enough to accept.
 */
function ephemeralFromAnywhere(tier: Tier, first: number): NaclRule[] {
  return [
    tcp(tier, false, first, ANYWHERE, EPHEMERAL_FROM, 3388, "ephemeral-low"),
    tcp(tier, false, first + 10, ANYWHERE, 3390, EPHEMERAL_TO, "ephemeral-high"),
  ];
}

/** Each port once, ascending: rule numbers follow this order, so config order never renumbers a rule. */
export function uniqueSorted(ports: readonly number[]): number[] {
  return [...new Set(ports)].sort((a, b) => a - b);
}

export function planNaclRules(intent: NaclIntent): NaclRule[] {
  const { tierCidrs, vpcCidr, databasePort } = intent;
  const servicePorts = uniqueSorted(intent.servicePorts);
  const mgmt = intent.managementCidrs;
  const rules: NaclRule[] = [];

  // Public tier: the ALB (443, 80 for the redirect) and NAT. Return traffic to clients and to
  // connections NAT opened on behalf of the private tier uses ephemeral ports.
  rules.push(tcp("public", false, 100, ANYWHERE, 443, 443, "https"));
  rules.push(tcp("public", false, 110, ANYWHERE, 80, 80, "http-redirect"));
  intent.sshSourceCidrs.forEach((cidr, i) => rules.push(tcp("public", false, 120 + i, cidr, 22, 22, `ssh-office-${i + 1}`)));
  rules.push(...ephemeralFromAnywhere("public", 200));
  rules.push(tcp("public", true, 100, ANYWHERE, 443, 443, "https-out"));
  rules.push(tcp("public", true, 110, ANYWHERE, 80, 80, "http-out"));
  servicePorts.forEach((port, i) => rules.push(tcp("public", true, 120 + i, tierCidrs.private, port, port, `service-${port}`)));
  if (intent.sshSourceCidrs.length > 0) {
    // A bastion in the public tier reaches the databases of the isolated tier.
    rules.push(tcp("public", true, 180, tierCidrs.isolated, databasePort, databasePort, "bastion-database"));
  }
  rules.push(tcp("public", true, 200, ANYWHERE, EPHEMERAL_FROM, EPHEMERAL_TO, "ephemeral-out"));

  // Private tier: service ports from the ALB only; outbound HTTPS (ECR, AWS APIs) via NAT or
  // endpoints; the database in the isolated tier.
  servicePorts.forEach((port, i) => rules.push(tcp("private", false, 100 + i, tierCidrs.public, port, port, `service-${port}`)));
  if (intent.interfaceEndpoints) {
    // Interface endpoints have an ENI in every private subnet and private DNS answers with all of
    // them, so a task in one AZ calls the endpoint in another: the request crosses the endpoint
    // subnet's ACL inbound on 443. An endpoint inherits its subnet's ACL; the traffic must be
    // allowed in the ACLs of both the client's and the endpoint's subnets
    // (https://aws.amazon.com/premiumsupport/knowledge-center/security-network-acl-vpc-endpoint/).
    // Found by `platform reach` (intents service → endpoint, every AZ pair).
    rules.push(tcp("private", false, 190, tierCidrs.private, 443, 443, "endpoints-https"));
  }
  rules.push(...ephemeralFromAnywhere("private", 200));
  rules.push(tcp("private", true, 100, ANYWHERE, 443, 443, "https-out"));
  rules.push(tcp("private", true, 110, tierCidrs.isolated, databasePort, databasePort, "database"));
  // The session store: tasks in any private subnet reach the primary in any isolated subnet (the
  // primary endpoint may sit in another AZ, and moves there on failover), so the rules name the
  // whole tiers, not AZ pairs. Replies ride the ephemeral rules both tiers already have.
  if (intent.cachePort !== undefined) rules.push(tcp("private", true, 120, tierCidrs.isolated, intent.cachePort, intent.cachePort, "cache"));
  rules.push(tcp("private", true, 200, vpcCidr, EPHEMERAL_FROM, EPHEMERAL_TO, "ephemeral-out"));
  mgmt.forEach((cidr, i) => {
    servicePorts.forEach((port, j) =>
      rules.push(tcp("private", false, 300 + i * 20 + j, cidr, port, port, `management-${i + 1}-service-${port}`)),
    );
    rules.push(tcp("private", true, 300 + i * 20, cidr, EPHEMERAL_FROM, EPHEMERAL_TO, `management-${i + 1}-ephemeral-out`));
  });

  // Isolated tier: the database port from the private tier and the management VPC, replies back.
  // No route to the internet exists, and no rule admits anything else.
  rules.push(tcp("isolated", false, 100, tierCidrs.private, databasePort, databasePort, "database"));
  rules.push(tcp("isolated", true, 100, tierCidrs.private, EPHEMERAL_FROM, EPHEMERAL_TO, "ephemeral-out"));
  if (intent.cachePort !== undefined) rules.push(tcp("isolated", false, 120, tierCidrs.private, intent.cachePort, intent.cachePort, "cache"));
  if (intent.sshSourceCidrs.length > 0) {
    rules.push(tcp("isolated", false, 110, tierCidrs.public, databasePort, databasePort, "bastion-database"));
    rules.push(tcp("isolated", true, 110, tierCidrs.public, EPHEMERAL_FROM, EPHEMERAL_TO, "bastion-ephemeral-out"));
  }
  mgmt.forEach((cidr, i) => {
    rules.push(tcp("isolated", false, 300 + i * 20, cidr, databasePort, databasePort, `management-${i + 1}-database`));
    rules.push(tcp("isolated", true, 300 + i * 20, cidr, EPHEMERAL_FROM, EPHEMERAL_TO, `management-${i + 1}-ephemeral-out`));
  });
  if (intent.office) rules.push(...planOfficeNaclRules(intent.office));
  return rules;
}

/**
 * The office VPN's entries, rules 500–599: office CIDR i owns 500+20i … 519+20i. In each granted
 * tier: inbound the granted ports from the office CIDR (500+20i+j, ports ascending), and outbound
 * the replies on ephemeral ports back to it (500+20i). Replies to connections the tier opens
 * towards the office need no new inbound rule: every tier that may be granted (public, private)
 * already admits ephemeral ports from anywhere (rules 200/210). The isolated tier is never granted.
 */
export function planOfficeNaclRules(office: OfficeNaclIntent): NaclRule[] {
  const ports = uniqueSorted(office.ports);
  const rules: NaclRule[] = [];
  for (const tier of office.tiers) {
    office.cidrs.forEach((cidr, i) => {
      ports.forEach((port, j) => rules.push(tcp(tier, false, 500 + i * 20 + j, cidr, port, port, `office-${i + 1}-port-${port}`)));
      rules.push(tcp(tier, true, 500 + i * 20, cidr, EPHEMERAL_FROM, EPHEMERAL_TO, `office-${i + 1}-ephemeral-out`));
    });
  }
  return rules;
}

/** Ports a rule admits, as an inclusive range test. */
export function ruleCovers(rule: NaclRule, port: number): boolean {
  return port >= rule.fromPort && port <= rule.toPort;
}

/** Logical-name suffix for a rule: stable as long as tier, direction and number are. */
export function naclRuleKey(rule: NaclRule): string {
  return `${rule.tier}-${rule.egress ? "out" : "in"}-${rule.ruleNumber}`;
}

/** The `aws.ec2.NetworkAclRule` arguments for a planned rule (T is the ACL id's type, e.g. an Output). */
export function naclRuleArgs<T>(rule: NaclRule, networkAclId: T) {
  return {
    networkAclId,
    ruleNumber: rule.ruleNumber,
    egress: rule.egress,
    protocol: rule.protocol,
    ruleAction: rule.action,
    cidrBlock: rule.cidrBlock,
    fromPort: rule.fromPort,
    toPort: rule.toPort,
  };
}
