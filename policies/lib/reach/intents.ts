import { AddrRange, INTERNET, NetNode, NetworkModel, VpnConnectionModel, cloudFrontPrefixLists, parseRange } from "./model";
import { Endpoint, FlowResult, Verdict, endpointLabel, evaluateFlow, placements } from "./evaluate";

/**
 * Traffic intents derived from the architecture (what the stack config builds), not listed per
 * stack: every flow the platform needs must be allowed, every flow it must never carry must be
 * denied. One intent per (source AZ, destination AZ) pair where AZs matter, so a path broken in
 * one AZ shows as exactly that.
 */

export type Tier = "public" | "private" | "isolated";

/** What the program builds, as far as traffic goes. Built from config (CLI) or from the plan (policy). */
export interface Architecture {
  readonly stack: string;
  /** ALB listener ports (the program always creates HTTPS 443 and the HTTP→HTTPS redirect on 80). */
  readonly listenerPorts: readonly number[];
  readonly services: ReadonlyArray<{ readonly name: string; readonly port: number; readonly database: boolean; readonly cache?: boolean }>;
  readonly databasePort?: number;
  /** The session store's port (platform:cache); services with `cache: true` reach it, nothing else does. */
  readonly cachePort?: number;
  /**
   * One-off ECS tasks (`aws ecs run-task`, no service): the database bootstrap. `toDatabase`: it
   * connects to the stack's database; `needs`: the AWS APIs it cannot start or run without, reached
   * through their interface endpoints when the VPC has them, else through NAT.
   */
  readonly tasks?: ReadonlyArray<OneOffTask>;
  /** Interface endpoint services (`ecr.api`, `logs`, …). */
  readonly interfaceEndpoints: readonly string[];
  /** A NAT gateway or instance gives the private tier internet egress. */
  readonly nat: boolean;
  /** Services reach S3 through a gateway endpoint. @default true (the network component always creates one) */
  readonly s3GatewayEndpoint?: boolean;
  /**
   * This stack runs a bastion; with office CIDRs it takes SSH from them. `toDatabase`: it must
   * reach the stack's database. @default toDatabase true (the program admits it by design)
   */
  readonly bastion?: { readonly sshCidrs: readonly string[]; readonly toDatabase?: boolean };
  /** Peering with the management stack and what it grants. */
  readonly management?: {
    readonly stack: string;
    readonly managementTo: readonly Tier[];
    readonly toManagement: readonly Tier[];
    readonly toManagementPorts: readonly number[];
  };
  /**
   * Offices behind the management stack's site-to-site VPN (`platform:vpn`): their ranges and the
   * ports they may open on the bastion. `stack` is the stack whose VPN they use: the management
   * stack checks they reach its bastion; an environment checks they do not reach it.
   */
  readonly offices?: ReadonlyArray<{ readonly name: string; readonly stack: string; readonly cidrs: readonly string[]; readonly ports: readonly number[] }>;
  /**
   * Test listeners of blue/green, canary and linear services (docs/releases.md): a port on the
   * ALB that serves the unreleased revision, reachable from the VPC and from `officeCidrs` only,
   * never from the internet. Their ports are not in `listenerPorts`. @default []
   */
  readonly testListeners?: ReadonlyArray<TestListener>;
  /**
   * CloudFront in front of the ALB (platform:edge): the internet reaches the distribution, the
   * distribution reaches the ALB's HTTPS listener, and the internet no longer reaches the ALB.
   * @default - no edge: the internet reaches the ALB directly
   */
  readonly edge?: { readonly enabled: true };
  /** Other environments' tier CIDRs: never reachable from here. */
  readonly otherEnvironments: ReadonlyArray<{ readonly stack: string; readonly tierCidrs: Readonly<Record<Tier, string>> }>;
}

export interface TestListener {
  readonly service: string;
  readonly port: number;
  /** Public ranges (the office) admitted besides the VPC. */
  readonly officeCidrs: readonly string[];
}

export interface OneOffTask {
  readonly name: string;
  readonly toDatabase: boolean;
  readonly needs: readonly string[];
}

/**
 * What a Fargate task whose image is in ECR, whose logs go to CloudWatch Logs and whose secrets
 * come from Secrets Manager calls before and while it runs: `ecr.api` and `ecr.dkr` (the image
 * manifest and token; its layers come from S3, through the gateway endpoint), `logs` (awslogs) and
 * `secretsmanager` (the `secrets` ECS resolves at task start)
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/vpc-endpoints.html).
 */
export const DB_BOOTSTRAP: OneOffTask = { name: "db-bootstrap", toDatabase: true, needs: ["ecr.api", "ecr.dkr", "logs", "secretsmanager"] };

export const ALB_LISTENER_PORTS: readonly number[] = [443, 80];
export const HTTPS = 443;
export const SSH = 22;

export interface EndRef {
  readonly label: string;
  readonly urn?: string;
  readonly az?: string;
}

export interface IntentResult {
  readonly id: string;
  readonly from: EndRef;
  readonly to: EndRef;
  readonly protocol: "tcp";
  readonly port: number;
  readonly expect: "allow" | "deny";
  readonly result: Verdict;
  readonly holds: boolean;
  readonly path: FlowResult["path"];
  readonly blockedBy?: { readonly urn: string; readonly detail: string };
  /** Why the intent exists (the architecture rule it comes from). */
  readonly why: string;
}

interface PlannedIntent {
  readonly id: string;
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly port: number;
  readonly expect: "allow" | "deny";
  readonly why: string;
}

/** A required end that the plan lacks: the intent cannot hold. */
interface MissingIntent {
  readonly id: string;
  readonly from: EndRef;
  readonly to: EndRef;
  readonly port: number;
  readonly expect: "allow" | "deny";
  readonly why: string;
  readonly missing: string;
}

function stackOfUrn(urn: string): string {
  return urn.split("::")[0].replace(/^urn:pulumi:/, "");
}

function endRef(m: NetworkModel, e: Endpoint): EndRef {
  if (e.kind !== "node") return { label: endpointLabel(e) };
  const s = m.subnets.get(e.subnetId);
  const az = s && typeof s.az === "string" && s.az !== "04da6b54-80e4-46f7-96ec-b56ff0331ba9" ? s.az : undefined;
  return { label: e.node.label, urn: e.node.urn, ...(az ? { az } : {}) };
}

function azTag(e: Endpoint, m: NetworkModel): string {
  if (e.kind === "cdn") return "cloudfront";
  if (e.kind !== "node") return e.kind === "internet" ? (e.cidr ? e.cidr.text : e.prefixLists?.length ? "cloudfront" : "internet") : e.kind === "service" ? e.service : e.cidr.text;
  return endRef(m, e).az ?? e.subnetId;
}

/** Nodes of the architecture in the model, found by kind and stack. */
class Finder {
  constructor(
    private readonly m: NetworkModel,
    private readonly stack: string,
  ) {}
  private of(kind: NetNode["kind"], stack = this.stack): NetNode[] {
    return this.m.nodes.filter((n) => n.kind === kind && stackOfUrn(n.urn) === stack);
  }
  alb(): NetNode | undefined {
    return this.of("alb")[0];
  }
  service(name: string): NetNode | undefined {
    return this.of("service").find((n) => n.service === name);
  }
  database(): NetNode | undefined {
    return this.of("database")[0];
  }
  cache(): NetNode | undefined {
    return this.of("cache")[0];
  }
  endpoint(service: string): NetNode | undefined {
    return this.of("endpoint").find((n) => n.service === service);
  }
  task(name: string): NetNode | undefined {
    return this.of("task").find((n) => n.service === name);
  }
  bastion(stack = this.stack): NetNode | undefined {
    return this.of("bastion", stack)[0];
  }
  vpnConnection(stack: string, office: string): VpnConnectionModel | undefined {
    return [...this.m.vpnConnections.values()].find((c) => stackOfUrn(c.urn) === stack && c.office === office);
  }
  ends(node: NetNode): Endpoint[] {
    return placements(this.m, node).map((p) => ({ kind: "node", node, subnetId: p.subnetId }));
  }
}

/**
 * The intents of one stack. `m` holds the stack's plan and, for environments, the management
 * stack's plan (without it, the cross-stack intents are left out: they cannot be evaluated).
 */
export function deriveIntents(m: NetworkModel, arch: Architecture): Array<PlannedIntent | MissingIntent> {
  const f = new Finder(m, arch.stack);
  const out: Array<PlannedIntent | MissingIntent> = [];
  const internet: Endpoint = { kind: "internet" };
  const pairs = (id: string, from: Endpoint[], to: Endpoint[], port: number, expect: "allow" | "deny", why: string, onePair = false) => {
    const list: PlannedIntent[] = [];
    for (const a of from) for (const b of to) list.push({ id: `${id}:${port}:${azTag(a, m)}>${azTag(b, m)}`, from: a, to: b, port, expect, why });
    // Denials need no full matrix: one pair per destination AZ says "closed".
    out.push(...(onePair ? list.filter((x, i) => list.findIndex((y) => azTag(y.to, m) === azTag(x.to, m)) === i) : list));
  };
  const missing = (id: string, from: string, to: string, port: number, what: string, why: string) =>
    out.push({ id: `${id}:${port}`, from: { label: from }, to: { label: to }, port, expect: "allow", why, missing: what });

  const alb = f.alb();
  const db = f.database();
  const hasApp = arch.services.length > 0;

  // Internet → ALB on each listener port (each ALB AZ); behind the edge: internet → CloudFront →
  // ALB 443 only, and the internet ↛ ALB on every listener port.
  if (hasApp && arch.edge) {
    const dist = (m.distributions ?? []).find((d) => stackOfUrn(d.urn) === arch.stack);
    if (!dist) missing("allow:internet>cloudfront", "internet", "CloudFront distribution", HTTPS, "no CloudFront distribution in the plan", "viewers reach the edge");
    else pairs("allow:internet>cloudfront", [internet], [{ kind: "cdn", distribution: dist, label: `CloudFront distribution ${dist.name}` }], HTTPS, "allow", "viewers reach the environment through CloudFront");
    const cloudFront: Endpoint = { kind: "internet", label: "CloudFront (origin-facing)", prefixLists: cloudFrontPrefixLists(m) };
    if (!alb) missing("allow:cloudfront>alb", "CloudFront", "load balancer", HTTPS, "no load balancer in the plan", "CloudFront's origin is the ALB");
    else {
      pairs("allow:cloudfront>alb", [cloudFront], f.ends(alb), HTTPS, "allow", "CloudFront reaches its ALB origin over HTTPS from its origin-facing addresses");
      for (const port of arch.listenerPorts) pairs("deny:internet>alb", [internet], f.ends(alb), port, "deny", "behind the edge, only CloudFront reaches the ALB", true);
    }
  } else if (hasApp) {
    if (!alb) missing("allow:internet>alb", "internet", "load balancer", HTTPS, "no load balancer in the plan", "the ALB serves the services");
    else for (const port of arch.listenerPorts) pairs("allow:internet>alb", [internet], f.ends(alb), port, "allow", "clients reach the ALB on its listener ports");
  }

  // Test listeners: the office ranges reach them, the internet never does. (The VPC's own clients
  // are admitted by the same security group rule; the model has no in-VPC client node for them.)
  for (const t of arch.testListeners ?? []) {
    if (!alb) {
      missing(`allow:office>test-listener/${t.service}`, "office", "load balancer", t.port, "no load balancer in the plan", "the test listener serves the new revision");
      continue;
    }
    for (const cidr of t.officeCidrs) {
      const range = parseRange(cidr);
      if (range) pairs(`allow:office>test-listener/${t.service}`, [{ kind: "internet", cidr: range, label: `office ${cidr}` }], f.ends(alb), t.port, "allow", "the office checks the new revision on the test listener");
    }
    pairs(`deny:internet>test-listener/${t.service}`, [internet], f.ends(alb), t.port, "deny", "the test listener serves unreleased code: never from the internet", true);
  }

  for (const svc of arch.services) {
    const node = f.service(svc.name);
    if (!node) {
      missing(`allow:alb>service/${svc.name}`, "load balancer", `ECS service ${svc.name}`, svc.port, `no ECS service ${svc.name} in the plan`, "the ALB forwards to each service");
      continue;
    }
    const tasks = f.ends(node);
    if (alb) pairs(`allow:alb>service/${svc.name}`, f.ends(alb), tasks, svc.port, "allow", "the ALB forwards to the service's container port from every ALB subnet to every task subnet");
    if (db) {
      if (svc.database) pairs(`allow:service/${svc.name}>database`, tasks, f.ends(db), dbPort(arch, db), "allow", "services that use the database reach it");
      else pairs(`deny:service/${svc.name}>database`, tasks, f.ends(db), dbPort(arch, db), "deny", "only granted sources reach the database", true);
    }
    for (const ep of arch.interfaceEndpoints) {
      const e = f.endpoint(ep);
      if (!e) missing(`allow:service/${svc.name}>endpoint/${ep}`, node.label, `interface endpoint ${ep}`, HTTPS, `no interface endpoint ${ep} in the plan`, "services reach every interface endpoint");
      // Private DNS resolves the endpoint's name to its interface in every AZ.
      else pairs(`allow:service/${svc.name}>endpoint/${ep}`, tasks, f.ends(e), HTTPS, "allow", "private DNS answers with the endpoint's interfaces in every AZ, so every task AZ reaches every endpoint AZ");
    }
    if (arch.s3GatewayEndpoint ?? true) pairs(`allow:service/${svc.name}>s3`, tasks, [{ kind: "service", service: "s3", label: "S3 (gateway endpoint)" }], HTTPS, "allow", "image layers come from S3 through the gateway endpoint");
    if (arch.nat) pairs(`allow:service/${svc.name}>internet`, tasks, [internet], HTTPS, "allow", "with NAT, services reach the internet on HTTPS from every AZ");
    // Must deny: the internet never reaches tasks directly.
    pairs(`deny:internet>service/${svc.name}`, [internet], tasks, svc.port, "deny", "only the ALB listeners face the internet", true);
    // Other environments: never reachable.
    for (const other of arch.otherEnvironments) {
      pairs(`deny:service/${svc.name}>${other.stack}/private`, tasks.slice(0, 1), [address(other.stack, "private", other.tierCidrs.private)], HTTPS, "deny", "environments never reach each other");
      if (arch.databasePort !== undefined) pairs(`deny:service/${svc.name}>${other.stack}/isolated`, tasks.slice(0, 1), [address(other.stack, "isolated", other.tierCidrs.isolated)], arch.databasePort, "deny", "environments never reach each other");
    }
  }

  // One-off tasks: placed where the deploy workflow runs them (every exported subnet), so every
  // subnet they may land in must reach what they need.
  for (const task of arch.tasks ?? []) {
    const id = `task/${task.name}`;
    const node = f.task(task.name);
    if (!node) {
      if (db && task.toDatabase) missing(`allow:${id}>database`, `one-off task ${task.name}`, "database", dbPort(arch, db), `no task definition of the one-off task ${task.name} in the plan`, "the one-off task reaches the database");
      continue;
    }
    const ends = f.ends(node);
    if (db && task.toDatabase) pairs(`allow:${id}>database`, ends, f.ends(db), dbPort(arch, db), "allow", "the bootstrap task creates the services' database users from whichever exported subnet run-task places it in");
    for (const ep of arch.interfaceEndpoints) {
      const e = f.endpoint(ep);
      if (e) pairs(`allow:${id}>endpoint/${ep}`, ends, f.ends(e), HTTPS, "allow", "private DNS answers with the endpoint's interfaces in every AZ, so every task AZ reaches every endpoint AZ");
    }
    if (arch.s3GatewayEndpoint ?? true) pairs(`allow:${id}>s3`, ends, [{ kind: "service", service: "s3", label: "S3 (gateway endpoint)" }], HTTPS, "allow", "image layers come from S3 through the gateway endpoint");
    const throughNat = task.needs.filter((n) => !arch.interfaceEndpoints.includes(n));
    if (throughNat.length > 0) {
      if (arch.nat) pairs(`allow:${id}>internet`, ends, [internet], HTTPS, "allow", `without interface endpoints for ${throughNat.join(", ")}, the task reaches them through NAT from every AZ`);
      else missing(`allow:${id}>internet`, node.label, "internet", HTTPS, `no NAT and no interface endpoint for ${throughNat.join(", ")}`, "the task cannot pull its image, read its secret or write its logs otherwise");
    }
    // run-task starts it with assignPublicIp=DISABLED (docs/database.md) and its group admits nothing.
    pairs(`deny:internet>${id}`, [internet], ends, HTTPS, "deny", "nothing reaches a one-off task", true);
    for (const other of arch.otherEnvironments) {
      if (arch.databasePort !== undefined) pairs(`deny:${id}>${other.stack}/isolated`, ends.slice(0, 1), [address(other.stack, "isolated", other.tierCidrs.isolated)], arch.databasePort, "deny", "environments never reach each other");
    }
  }

  if (db) {
    pairs("deny:internet>database", [internet], f.ends(db), dbPort(arch, db), "deny", "databases are never public", true);
    if (alb) pairs("deny:alb>database", f.ends(alb), f.ends(db), dbPort(arch, db), "deny", "only granted sources reach the database", true);
  }
  for (const ep of arch.interfaceEndpoints) {
    const e = f.endpoint(ep);
    if (e) pairs(`deny:internet>endpoint/${ep}`, [internet], f.ends(e), HTTPS, "deny", "interface endpoints are private", true);
  }

  const bastion = arch.bastion ? f.bastion() : undefined;
  if (arch.bastion && bastion) {
    const ends = f.ends(bastion);
    if (db && (arch.bastion.toDatabase ?? true)) pairs("allow:bastion>database", ends, f.ends(db), dbPort(arch, db), "allow", "the bastion reaches the database");
    if (arch.nat) pairs("allow:bastion>internet", ends, [internet], HTTPS, "allow", "the bastion's Session Manager agent needs HTTPS out");
    for (const cidr of arch.bastion.sshCidrs) {
      const range = parseRange(cidr);
      if (range) pairs("allow:office>bastion", [{ kind: "internet", cidr: range, label: `office ${cidr}` }], ends, SSH, "allow", "SSH from the configured office ranges");
    }
    pairs("deny:internet>bastion", [internet], ends, SSH, "deny", arch.bastion.sshCidrs.length > 0 ? "SSH only from the office ranges" : "Session Manager only: no inbound SSH", true);
  }

  // The office VPN. In the management stack: each office range reaches the bastion on every granted
  // port from every AZ it may run in, and an address that is not the office's cannot use the
  // tunnel. In an environment: the office reaches nothing, because the gateway delivers only into
  // the management VPC (no edge-to-edge routing across the peering); operators hop through the bastion.
  for (const office of arch.offices ?? []) {
    const own = office.stack === arch.stack;
    const conn = f.vpnConnection(office.stack, office.name);
    if (!conn) {
      if (own) missing(`allow:office/${office.name}>bastion`, `office ${office.name}`, "bastion", SSH, `no VPN connection of office ${office.name} in the plan`, "the office reaches the bastion over its VPN");
      continue;
    }
    const sources: Endpoint[] = office.cidrs
      .map((c) => parseRange(c))
      .filter((c): c is AddrRange => c !== undefined)
      .map((cidr) => ({ kind: "office", cidr, label: `office ${office.name}`, connectionId: conn.id }));
    const why = "VPN traffic does not cross the peering (no edge-to-edge routing): the office reaches environments through the bastion";
    if (own) {
      const b = f.bastion();
      if (!b) {
        missing(`allow:office/${office.name}>bastion`, `office ${office.name}`, "bastion", SSH, "no bastion in the plan", "the office reaches the bastion over its VPN");
        continue;
      }
      for (const port of office.ports) pairs(`allow:office/${office.name}>bastion`, sources, f.ends(b), port, "allow", "the office reaches the bastion over the VPN on the granted ports");
      const spoofed: Endpoint = { kind: "office", cidr: INTERNET, label: `any address through the VPN of office ${office.name}`, connectionId: conn.id };
      pairs(`deny:vpn/${office.name}>bastion`, [spoofed], f.ends(b), SSH, "deny", "the VPN admits the office's ranges only, never the internet", true);
    } else {
      if (db) pairs(`deny:office/${office.name}>database`, sources.slice(0, 1), f.ends(db), dbPort(arch, db), "deny", why, true);
      for (const svc of arch.services) {
        const node = f.service(svc.name);
        if (node) pairs(`deny:office/${office.name}>service/${svc.name}`, sources.slice(0, 1), f.ends(node), svc.port, "deny", why, true);
      }
    }
  }

  // The management VPC (only when its plan is in the model).
  const mgmt = arch.management;
  const mgmtBastion = mgmt ? f.bastion(mgmt.stack) : undefined;
  if (mgmt && mgmtBastion) {
    const ends = f.ends(mgmtBastion);
    if (db && mgmt.managementTo.includes("isolated")) {
      pairs("allow:management-bastion>database", ends, f.ends(db), dbPort(arch, db), "allow", "the management bastion reaches the database across the peering");
    } else if (db) {
      pairs("deny:management-bastion>database", ends, f.ends(db), dbPort(arch, db), "deny", "the peering does not grant the isolated tier", true);
    }
    if (alb && !mgmt.managementTo.includes("public")) {
      pairs("deny:management-bastion>alb", ends.slice(0, 1), f.ends(alb), HTTPS, "deny", "the peering does not grant the public tier", true);
    }
    for (const svc of arch.services) {
      const node = f.service(svc.name);
      if (!node) continue;
      pairs(`deny:management-bastion>service/${svc.name}`, ends.slice(0, 1), f.ends(node), SSH, "deny", "the peering grants service ports only, never SSH", true);
      if (!mgmt.toManagementPorts.includes(SSH)) {
        pairs(`deny:service/${svc.name}>management-bastion`, f.ends(node).slice(0, 1), ends, SSH, "deny", "the environment reaches the management VPC only on its granted ports", true);
      }
    }
  }
  cacheIntents(f, arch, pairs, missing);
  return out;
}

type Pairs = (id: string, from: Endpoint[], to: Endpoint[], port: number, expect: "allow" | "deny", why: string, onePair?: boolean) => void;
type Missing = (id: string, from: string, to: string, port: number, what: string, why: string) => void;

/**
 * The session store's intents (docs/cache.md): services with `cache: true` reach every node from
 * every task AZ (the primary endpoint moves to another AZ on failover), and nothing else reaches
 * it: not the other services, the internet, the load balancer, one-off tasks, a bastion of this
 * stack or of the management VPC (the peering never grants the cache port), nor another
 * environment's isolated tier.
 */
function cacheIntents(f: Finder, arch: Architecture, pairs: Pairs, missing: Missing): void {
  if (arch.cachePort === undefined) return;
  const port = arch.cachePort;
  const cache = f.cache();
  const users = arch.services.filter((s) => s.cache === true);
  if (!cache) {
    for (const svc of users) missing(`allow:service/${svc.name}>cache`, `ECS service ${svc.name}`, "session store", port, "no ElastiCache replication group in the plan", "services with cache: true reach the session store");
    return;
  }
  const ends = f.ends(cache);
  for (const svc of arch.services) {
    const node = f.service(svc.name);
    if (!node) continue;
    const tasks = f.ends(node);
    if (svc.cache === true) pairs(`allow:service/${svc.name}>cache`, tasks, ends, port, "allow", "services with cache: true reach every cache node from every task AZ (the primary moves on failover)");
    else pairs(`deny:service/${svc.name}>cache`, tasks, ends, port, "deny", "only services with cache: true reach the session store", true);
    if (svc.cache === true) {
      for (const other of arch.otherEnvironments) {
        pairs(`deny:service/${svc.name}>${other.stack}/isolated`, tasks.slice(0, 1), [address(other.stack, "isolated", other.tierCidrs.isolated)], port, "deny", "environments never reach each other's session stores");
      }
    }
  }
  pairs("deny:internet>cache", [{ kind: "internet" }], ends, port, "deny", "caches are never public", true);
  const alb = f.alb();
  if (alb) pairs("deny:alb>cache", f.ends(alb), ends, port, "deny", "only services with cache: true reach the session store", true);
  for (const task of arch.tasks ?? []) {
    const node = f.task(task.name);
    if (node) pairs(`deny:task/${task.name}>cache`, f.ends(node), ends, port, "deny", "one-off tasks never reach the session store", true);
  }
  const bastion = arch.bastion ? f.bastion() : undefined;
  if (bastion) pairs("deny:bastion>cache", f.ends(bastion), ends, port, "deny", "operators do not reach the session store (docs/cache.md)", true);
  const mgmtBastion = arch.management ? f.bastion(arch.management.stack) : undefined;
  if (mgmtBastion) pairs("deny:management-bastion>cache", f.ends(mgmtBastion).slice(0, 1), ends, port, "deny", "the peering never grants the cache port", true);
}

function dbPort(arch: Architecture, db: NetNode): number {
  return arch.databasePort ?? db.ports[0] ?? 5432;
}

function address(stack: string, tier: Tier, cidr: string): Endpoint {
  return { kind: "address", cidr: parseRange(cidr) as AddrRange, label: `${stack} ${tier} tier (${cidr})` };
}

/** Evaluates every intent of a stack. */
export function checkIntents(m: NetworkModel, arch: Architecture): IntentResult[] {
  return deriveIntents(m, arch).map((i) => {
    if ("missing" in i) {
      return {
        id: i.id,
        from: i.from,
        to: i.to,
        protocol: "tcp",
        port: i.port,
        expect: i.expect,
        result: "deny",
        holds: false,
        path: [],
        blockedBy: { urn: "", detail: i.missing },
        why: i.why,
      };
    }
    const r = evaluateFlow(m, { from: i.from, to: i.to, port: i.port });
    return {
      id: i.id,
      from: endRef(m, i.from),
      to: endRef(m, i.to),
      protocol: "tcp",
      port: i.port,
      expect: i.expect,
      result: r.result,
      // An unknown never counts as holding: neither an allow nor a deny is proven.
      holds: r.result === i.expect,
      path: r.path,
      ...(r.blockedBy ? { blockedBy: r.blockedBy } : {}),
      why: i.why,
    };
  });
}
