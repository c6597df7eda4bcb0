import { bool, DeploymentGraph, list, num, obj, prop, str } from "../cost/graph";
import type { DeploymentResource } from "../cost/types";
import type { UntypedDeployment } from "../plan/deployment";
import { parseUrn } from "../evaluate/urn";
import { cacheSettings } from "./parity-cache";
import { releaseStyleOf } from "./releases";
import { edgeSettings } from "./edge";

/**
 * Environment parity: the effective settings of each stack, read from its plan (the resources the
 * program registered, not the config file), so a setting that a component defaults or derives
 * shows as AWS will see it. Pure.
 *
 * Settings are keyed by `group/label/resource`, where `resource` is the logical name with the
 * stack prefix removed (`prod-db` → `db`), so the same resource lines up across stacks.
 *
 * A value absent from a stack (shared has no Aurora cluster) is not a difference: a row differs
 * when two stacks that have the setting disagree on its value.
 */

export type SettingGroup = "Network" | "Bastion" | "Load balancer" | "ECS" | "Aurora" | "Cache" | "Logs" | "Edge";

export const SETTING_GROUPS: readonly SettingGroup[] = [
  "Network",
  "Bastion",
  "Load balancer",
  "ECS",
  "Aurora",
  "Cache",
  "Logs",
  "Edge",
];

export interface Setting {
  readonly group: SettingGroup;
  readonly label: string;
  /** Logical name without the stack prefix; "" for stack-wide settings. */
  readonly resource: string;
  /** The effective value as the report prints it. Compared as text. */
  readonly value: string;
  /**
   * For settings that protect data or availability: higher is safer (deletion protection on = 1,
   * off = 0; retention in days). Lets the report flag a change that weakens a stack.
   */
  readonly strength?: number;
}

export function settingKey(s: Pick<Setting, "group" | "label" | "resource">): string {
  return `${s.group}/${s.label}/${s.resource}`;
}

/** `prod-db` → `db`; a resource named exactly like the stack → "". */
export function stripStack(name: string, stack: string): string {
  if (name === stack) return "";
  return name.startsWith(`${stack}-`) ? name.slice(stack.length + 1) : name;
}

export const onOff = (v: boolean): string => (v ? "on" : "off");
const TIER_ORDER = ["public", "private", "isolated"];

export const LB_TYPES = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
export const LISTENER_TYPES = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];
export const SUBNET = "aws:ec2/subnet:Subnet";

/** Tier of a subnet: its `Tier` tag (the network component sets it), else its name. */
export function subnetTier(r: DeploymentResource): string | undefined {
  const tags = obj(prop(r, "tags"));
  const tag = str(tags?.Tier);
  if (tag) return tag;
  return TIER_ORDER.find((t) => parseUrn(r.urn).name.includes(t));
}

function dependsOn(r: DeploymentResource, urn: string): boolean {
  return (
    (r.dependencies ?? []).includes(urn) ||
    Object.values(r.propertyDependencies ?? {}).some((u) => u.includes(urn))
  );
}

function days(n: number): string {
  return `${n} day${n === 1 ? "" : "s"}`;
}

/** The resource's logical name without the stack prefix (see stripStack). */
export function nameInStack(r: DeploymentResource, stack: string): string {
  return stripStack(parseUrn(r.urn).name, stack);
}

/** One stack's settings, in a fixed order (group, then the order below). */
export function extractSettings(doc: UntypedDeployment, stack: string): Setting[] {
  const g = new DeploymentGraph(doc);
  const out: Setting[] = [];
  const add = (
    group: SettingGroup,
    label: string,
    resource: string,
    value: string,
    strength?: number,
  ) => out.push({ group, label, resource, value, ...(strength !== undefined ? { strength } : {}) });

  // ---- Network -------------------------------------------------------------------------------
  const vpcs = g.ofType("aws:ec2/vpc:Vpc");
  const subnets = g.ofType(SUBNET);
  if (vpcs.length > 0) {
    const azs = new Set(
      subnets.map((s) => str(prop(s, "availabilityZone"))).filter((z): z is string => !!z),
    );
    add("Network", "Availability zones", "", String(azs.size), azs.size);
    const tiers = [...new Set(subnets.map(subnetTier).filter((t): t is string => !!t))].sort(
      (a, b) => tierRank(a) - tierRank(b) || a.localeCompare(b),
    );
    add("Network", "Subnet tiers", "", tiers.length > 0 ? tiers.join(", ") : "none");
    add("Network", "NAT", "", natStrategy(g, azs.size));
    const endpoints = g.ofType("aws:ec2/vpcEndpoint:VpcEndpoint").map((e) => {
      const service = (str(prop(e, "serviceName")) ?? "?").replace(
        /^com\.amazonaws\.[a-z0-9-]+\./,
        "",
      );
      return str(prop(e, "vpcEndpointType")) === "Gateway" ? `${service} (gateway)` : service;
    });
    add(
      "Network",
      "VPC endpoints",
      "",
      endpoints.length > 0 ? endpoints.sort().join(", ") : "none",
    );
    const flowLogs = g
      .ofType("aws:ec2/flowLog:FlowLog")
      .map((f) => str(prop(f, "trafficType")) ?? "?");
    add(
      "Network",
      "Flow logs",
      "",
      flowLogs.length > 0 ? [...new Set(flowLogs)].sort().join(", ") : "off",
      flowLogs.length > 0 ? 1 : 0,
    );
    const peerings =
      g.ofType("aws:ec2/vpcPeeringConnection:VpcPeeringConnection").length +
      g.ofType("aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter").length;
    add("Network", "Peering connections", "", String(peerings));
    // The office VPN (management stack): one row per office, so a change of routing or of the
    // tunnels' IKE versions shows as a changed value.
    for (const c of g.ofType("aws:ec2/vpnConnection:VpnConnection")) {
      const tags = obj(prop(c, "tags")) ?? {};
      const office = typeof tags.Office === "string" ? tags.Office : nameInStack(c, stack);
      const routing = bool(prop(c, "staticRoutesOnly")) ? "static" : "BGP";
      const ike = [1, 2].map((n) => (list(prop(c, `tunnel${n}IkeVersions`)) ?? ["ikev1", "ikev2"]).join("+")).join(" / ");
      add("Network", "Site-to-site VPN", office, `${routing}; tunnels ${ike}; ${typeof tags.OfficeCidrs === "string" ? tags.OfficeCidrs : "?"}`);
    }
  }

  // ---- Bastion -------------------------------------------------------------------------------
  const bastionHosts = g
    .ofType("aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/instance:Instance")
    .filter((r) => /bastion/i.test(r.urn));
  if (vpcs.length > 0) {
    const types = [...new Set(bastionHosts.map((r) => str(prop(r, "instanceType")) ?? "?"))].sort();
    add("Bastion", "Bastion", "", types.length > 0 ? types.join(", ") : "none");
  }

  // ---- Load balancer -------------------------------------------------------------------------
  for (const lb of g.ofType(...LB_TYPES)) {
    const name = nameInStack(lb, stack);
    const protectedLb = bool(prop(lb, "enableDeletionProtection")) ?? false;
    add("Load balancer", "Deletion protection", name, onOff(protectedLb), protectedLb ? 1 : 0);
    const logs = obj(prop(lb, "accessLogs"));
    const logsOn = !!logs && (bool(logs.enabled) ?? true) && !!str(logs.bucket);
    add("Load balancer", "Access logs", name, onOff(logsOn), logsOn ? 1 : 0);
    add(
      "Load balancer",
      "Scheme",
      name,
      bool(prop(lb, "internal")) ? "internal" : "internet-facing",
    );
    const listeners = g
      .ofType(...LISTENER_TYPES)
      .filter((l) => dependsOn(l, lb.urn))
      .map((l) => `${str(prop(l, "protocol")) ?? "?"}:${num(prop(l, "port")) ?? "?"}`);
    add(
      "Load balancer",
      "Listeners",
      name,
      listeners.length > 0 ? [...new Set(listeners)].sort().join(", ") : "none",
    );
  }

  // ---- ECS -----------------------------------------------------------------------------------
  const clusters = g.ofType("aws:ecs/cluster:Cluster");
  for (const c of clusters) {
    const insights = (list(prop(c, "settings")) ?? [])
      .map(obj)
      .find((s) => str(s?.name) === "containerInsights");
    add("ECS", "Container Insights", nameInStack(c, stack), str(insights?.value) ?? "disabled");
  }
  const services = g.ofType("aws:ecs/service:Service");
  if (clusters.length > 0 || services.length > 0) {
    add(
      "ECS",
      "Services",
      "",
      services.length > 0
        ? services
            .map((s) => nameInStack(s, stack))
            .sort(natural)
            .join(", ")
        : "none",
    );
  }
  for (const s of services) {
    const name = nameInStack(s, stack);
    const desired = num(prop(s, "desiredCount")) ?? 0;
    // No strength: fewer tasks is a capacity choice (dev scales down on purpose), not lost protection.
    add("ECS", "Desired count", name, String(desired));
    const td = g.follow(s, "taskDefinition", ["aws:ecs/taskDefinition:TaskDefinition"]);
    if (td) {
      const cpu = num(prop(td, "cpu"));
      const memory = num(prop(td, "memory"));
      const arch = str(obj(prop(td, "runtimePlatform"))?.cpuArchitecture);
      add(
        "ECS",
        "Task size",
        name,
        `${cpu !== undefined ? `${cpu / 1024} vCPU` : "? vCPU"} / ${memory ?? "?"} MiB${arch ? ` (${arch})` : ""}`,
      );
    }
    add("ECS", "Capacity", name, capacityOf(s));
    // How new revisions replace running ones, and the drain/SIGTERM pairing (./releases.ts).
    add("ECS", "Release style", name, releaseStyleOf(s, g));
    const scaling = g
      .ofType("aws:appautoscaling/target:Target")
      .find(
        (t) =>
          dependsOn(t, s.urn) ||
          (str(prop(t, "resourceId")) ?? "").endsWith(`/${str(prop(s, "name")) ?? "\u0000"}`),
      );
    add(
      "ECS",
      "Autoscaling",
      name,
      scaling
        ? `${num(prop(scaling, "minCapacity")) ?? "?"}–${num(prop(scaling, "maxCapacity")) ?? "?"} tasks`
        : "off",
    );
  }

  // ---- Aurora --------------------------------------------------------------------------------
  const dbClusters = g.ofType("aws:rds/cluster:Cluster");
  const instances = g.ofType("aws:rds/clusterInstance:ClusterInstance");
  for (const c of dbClusters) {
    const name = nameInStack(c, stack);
    add(
      "Aurora",
      "Engine",
      name,
      [str(prop(c, "engine")), str(prop(c, "engineVersion"))].filter((x) => !!x).join(" ") || "?",
    );
    const mine = instances.filter(
      (i) => g.follow(i, "clusterIdentifier", ["aws:rds/cluster:Cluster"])?.urn === c.urn,
    );
    add("Aurora", "Instances", name, instanceClasses(mine), mine.length);
    const scaling = obj(prop(c, "serverlessv2ScalingConfiguration"));
    if (scaling)
      add(
        "Aurora",
        "Serverless v2 capacity",
        name,
        `${num(scaling.minCapacity) ?? "?"}–${num(scaling.maxCapacity) ?? "?"} ACU`,
      );
    const deletion = bool(prop(c, "deletionProtection")) ?? false;
    add("Aurora", "Deletion protection", name, onOff(deletion), deletion ? 1 : 0);
    // AWS keeps automated backups for 1 day when the period is not set.
    const retention = num(prop(c, "backupRetentionPeriod")) ?? 1;
    add("Aurora", "Backup retention", name, days(retention), retention);
    const finalSnapshot = !(bool(prop(c, "skipFinalSnapshot")) ?? false);
    add("Aurora", "Final snapshot", name, onOff(finalSnapshot), finalSnapshot ? 1 : 0);
    const encrypted = bool(prop(c, "storageEncrypted")) ?? false;
    add("Aurora", "Storage encrypted", name, onOff(encrypted), encrypted ? 1 : 0);
    if (mine.length > 0) {
      const pi = mine.filter((i) => bool(prop(i, "performanceInsightsEnabled"))).length;
      add(
        "Aurora",
        "Performance Insights",
        name,
        pi === mine.length ? "on" : pi === 0 ? "off" : `${pi} of ${mine.length} instances`,
      );
    }
  }

  // ---- Cache (the session store, ./parity-cache.ts) -------------------------------------------
  cacheSettings(g, stack, add);

  // ---- Logs ----------------------------------------------------------------------------------
  for (const lg of g.ofType("aws:cloudwatch/logGroup:LogGroup")) {
    const retention = num(prop(lg, "retentionInDays"));
    // 0 or unset: CloudWatch keeps the events forever.
    add(
      "Logs",
      "Retention",
      nameInStack(lg, stack),
      retention ? days(retention) : "never expires",
      retention ? retention : Number.MAX_SAFE_INTEGER,
    );
  }

  // ---- Edge (cli/review/edge.ts) ---------------------------------------------------------------
  for (const e of edgeSettings(g, (r) => nameInStack(r, stack))) add("Edge", e.label, e.resource, e.value, e.strength);
  return out;
}

/** svc2 before svc10. */
function natural(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

/** Public, private, isolated, then any other tier. */
export function tierRank(t: string): number {
  const i = TIER_ORDER.indexOf(t);
  return i < 0 ? TIER_ORDER.length : i;
}

/** Public NAT gateways, and EC2 instances with the source/destination check off (NAT instances). */
export function natDevices(g: DeploymentGraph): { gateways: DeploymentResource[]; natInstances: DeploymentResource[] } {
  return {
    gateways: g.ofType("aws:ec2/natGateway:NatGateway").filter((n) => str(prop(n, "connectivityType")) !== "private"),
    natInstances: g.ofType("aws:ec2/instance:Instance").filter((i) => bool(prop(i, "sourceDestCheck")) === false),
  };
}

/**
 * NAT strategy from what exists: NAT gateways (one per AZ, or fewer) or NAT instances (EC2
 * instances with the source/destination check off, which only a router needs).
 */
export function natStrategy(g: DeploymentGraph, azCount: number): string {
  const { gateways, natInstances } = natDevices(g);
  const parts: string[] = [];
  if (gateways.length > 0) {
    parts.push(
      gateways.length === 1
        ? "single gateway"
        : gateways.length >= azCount
          ? `gateway per AZ (${gateways.length})`
          : `${gateways.length} gateways for ${azCount} AZs`,
    );
  }
  if (natInstances.length > 0) {
    const types = [...new Set(natInstances.map((i) => str(prop(i, "instanceType")) ?? "?"))]
      .sort()
      .join(", ");
    parts.push(
      natInstances.length === 1
        ? `instance (${types})`
        : `${natInstances.length} instances (${types})`,
    );
  }
  return parts.length > 0 ? parts.join(" + ") : "none";
}

function capacityOf(s: DeploymentResource): string {
  const strategies = (list(prop(s, "capacityProviderStrategies")) ?? [])
    .map(obj)
    .filter((x) => !!x);
  if (strategies.length > 0) {
    return strategies
      .map((x) => {
        const base = num(x!.base);
        return `${str(x!.capacityProvider) ?? "?"} w${num(x!.weight) ?? 0}${base ? ` base ${base}` : ""}`;
      })
      .join(", ");
  }
  return str(prop(s, "launchType")) ?? "EC2 (default)";
}

function instanceClasses(instances: readonly DeploymentResource[]): string {
  if (instances.length === 0) return "none";
  const counts = new Map<string, number>();
  for (const i of instances) {
    const c = str(prop(i, "instanceClass")) ?? "?";
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([c, n]) => `${n} × ${c}`)
    .join(" + ");
}

// ---------------------------------------------------------------------------------------------

export interface ParityCell {
  /** Absent when the change removed the setting's resource from this stack. */
  readonly head?: string;
  /** The value at base when it differs from head (the change made it). */
  readonly base?: string;
  /** The change lowered a protective setting (deletion protection off, shorter retention). */
  readonly weakened: boolean;
}

export interface ParityRow {
  readonly group: SettingGroup;
  readonly label: string;
  readonly resource: string;
  /** By stack name; a stack without the setting has no cell. */
  readonly cells: Readonly<Record<string, ParityCell>>;
  /** Two stacks that have the setting disagree. */
  readonly differs: boolean;
  /** This change altered the setting in at least one stack. */
  readonly changed: boolean;
}

export interface StackSettings {
  readonly stack: string;
  /** Absent when the stack has no base (new stack, or no --base). */
  readonly base?: readonly Setting[];
  readonly head?: readonly Setting[];
}

/**
 * Every setting any stack has, one row each, in group order then first-seen order. Rows are
 * returned whether or not they differ: the renderer decides what to show.
 */
export function parityRows(stacks: readonly StackSettings[]): ParityRow[] {
  const order: string[] = [];
  const meta = new Map<string, Pick<Setting, "group" | "label" | "resource">>();
  const cells = new Map<string, Record<string, ParityCell>>();
  for (const s of stacks) {
    const headByKey = new Map((s.head ?? []).map((x) => [settingKey(x), x]));
    const baseByKey = new Map((s.base ?? []).map((x) => [settingKey(x), x]));
    const seen = (x: Setting) => {
      const key = settingKey(x);
      if (!meta.has(key)) {
        meta.set(key, { group: x.group, label: x.label, resource: x.resource });
        order.push(key);
        cells.set(key, {});
      }
      return key;
    };
    for (const h of s.head ?? []) {
      const key = seen(h);
      const b = baseByKey.get(key);
      const changedHere = b !== undefined && b.value !== h.value;
      const weakened =
        changedHere &&
        b.strength !== undefined &&
        h.strength !== undefined &&
        h.strength < b.strength;
      cells.get(key)![s.stack] = {
        head: h.value,
        ...(changedHere ? { base: b.value } : {}),
        weakened,
      };
    }
    // A setting the change removes (its resource is deleted) shows as `base → –`.
    for (const b of s.base ?? []) {
      const key = settingKey(b);
      if (headByKey.has(key)) continue;
      seen(b);
      cells.get(key)![s.stack] = { base: b.value, weakened: false };
    }
  }
  const groupRank = (k: string) => SETTING_GROUPS.indexOf(meta.get(k)!.group);
  const keys = order
    .map((k, i) => ({ k, i }))
    .sort((a, b) => groupRank(a.k) - groupRank(b.k) || a.i - b.i);
  return keys.map(({ k }) => {
    const c = cells.get(k)!;
    const values = new Set(Object.values(c).flatMap((x) => (x.head !== undefined ? [x.head] : [])));
    return {
      ...meta.get(k)!,
      cells: c,
      differs: values.size > 1,
      changed: Object.values(c).some((x) => x.base !== undefined),
    };
  });
}
