import { Policies, PolicyResource, UnknownValueError } from "@pulumi/policy";
import { stackPolicy } from "./lib/define";
import { architectureFromPlan } from "./lib/reach/from-plan";
import { IntentResult, checkIntents } from "./lib/reach/intents";
import { ReachResource, UNKNOWN, buildModel } from "./lib/reach/model";
import { T } from "./lib/types";
import { isUnknownError } from "./lib/unknowns";

/**
 * Connectivity proven on the plan (`platform reach`, docs/reach.md) as a stack policy: every
 * traffic intent the stack's architecture implies must hold under AWS's evaluation rules.
 *
 * A stack policy sees only its own stack's resources, so the architecture is read back from them
 * (services and their ports, endpoints, NAT, bastion, the peering grants written into this stack's
 * ACLs; see lib/reach/from-plan.ts) and the intents that need the management stack's plan (its
 * bastion → this database across the peering) are not checked here; `platform reach`, which reads
 * both plans, checks those. Intents towards other environments are `platform reach`'s too (they
 * need the other stacks' config).
 *
 * Resource ids are not part of what the engine sends a policy, so they are recovered from each
 * resource's ARN, and from the values other resources took from it (`propertyDependencies`).
 */

/** An id from an ARN: the ELB family is addressed by ARN, EC2 and friends by the last path segment. */
function idFromArn(type: string, arn: unknown): string | undefined {
  if (typeof arn !== "string" || arn === "") return undefined;
  if (type.startsWith("aws:lb/") || type.startsWith("aws:alb/")) return arn;
  const last = arn.split(/[/:]/).pop() ?? "";
  return /^[a-z]+-[0-9a-z]+$/.test(last) ? last : undefined;
}

/** Reads a property tree, turning values unknown during preview into the engine's UNKNOWN marker. */
function known(read: () => unknown, unknowns: UnknownValueError[]): unknown {
  let v: unknown;
  try {
    v = read();
  } catch (e) {
    if (!isUnknownError(e)) throw e;
    unknowns.push(e);
    return UNKNOWN;
  }
  // Index by index: Array.prototype.map would read every element itself, outside the try.
  if (Array.isArray(v)) return Array.from({ length: v.length }, (_, i) => known(() => (v as unknown[])[i], unknowns));
  if (typeof v === "object" && v !== null) {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).map((k) => [k, known(() => o[k], unknowns)]));
  }
  return v;
}

/**
 * Which resource types a property of a given name refers to, for values the engine cannot know
 * during a preview (an id of a resource not created yet): such a value is replaced by the id of
 * the one resource of that type its property depends on.
 */
const REFERS_TO: ReadonlyArray<readonly [RegExp, readonly string[]]> = [
  [/subnet|vpcZoneIdentifiers/i, [T.subnet]],
  [/securityGroup/i, [T.securityGroup, T.defaultSecurityGroup]],
  [/routeTable/i, [T.routeTable]],
  [/networkAcl/i, [T.networkAcl]],
  [/^(vpcId|peerVpcId)$/, [T.vpc]],
  [/natGateway/i, [T.natGateway]],
  [/^gatewayId$/, [T.internetGateway]],
  [/vpcPeeringConnection/i, [T.vpcPeeringConnection]],
  [/networkInterfaceId|instanceId/i, [T.instance]],
  [/loadBalancerArn/i, T.loadBalancer],
  [/clusterIdentifier/i, [T.rdsCluster]],
  [/dbSubnetGroupName/i, ["aws:rds/subnetGroup:SubnetGroup"]],
  [/taskDefinition/i, [T.ecsTaskDefinition]],
  [/^id$/, [T.launchTemplate]],
];

function resolveUnknowns(v: unknown, field: string, deps: readonly PolicyResource[], idOf: (urn: string) => string): unknown {
  const types = REFERS_TO.find(([re]) => re.test(field))?.[1];
  const candidates = types ? deps.filter((d) => types.includes(d.type)).map((d) => idOf(d.urn)) : [];
  if (v === UNKNOWN) return candidates.length === 1 ? candidates[0] : v;
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === "string")) {
      const rest = candidates.filter((c) => !v.includes(c));
      const unknownCount = v.filter((x) => x === UNKNOWN).length;
      if (unknownCount > 0 && rest.length === unknownCount) {
        let next = 0;
        return v.map((x) => (x === UNKNOWN ? rest[next++] : x));
      }
      return v;
    }
    return v.map((x) => resolveUnknowns(x, field, deps, idOf));
  }
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, resolveUnknowns(x, k, deps, idOf)]));
  }
  return v;
}

export function reachResources(resources: readonly PolicyResource[], unknowns: UnknownValueError[] = []): ReachResource[] {
  const props = new Map<string, Record<string, unknown>>();
  for (const r of resources) props.set(r.urn, known(() => r.props, unknowns) as Record<string, unknown>);
  const ids = new Map<string, string>();
  for (const r of resources) {
    const id = idFromArn(r.type, props.get(r.urn)?.arn);
    if (id) ids.set(r.urn, id);
  }
  // A property that came from exactly one resource holds that resource's id (or ARN).
  for (const r of resources) {
    const p = props.get(r.urn) ?? {};
    for (const [key, deps] of Object.entries(r.propertyDependencies ?? {})) {
      const v = p[key];
      if (deps.length === 1 && typeof v === "string" && v !== UNKNOWN && !ids.has(deps[0].urn)) ids.set(deps[0].urn, v);
    }
  }
  // Resources whose id nothing tells (not created yet, during a preview) get a stand-in, and the
  // unknown values that refer to them, through `propertyDependencies`, get the same stand-in.
  const idOf = (urn: string) => ids.get(urn) ?? `pending:${urn}`;
  for (const r of resources) {
    const p = props.get(r.urn) ?? {};
    for (const [key, deps] of Object.entries(r.propertyDependencies ?? {})) {
      if (key in p) p[key] = resolveUnknowns(p[key], key, deps, idOf);
    }
  }
  return resources.map((r) => ({ urn: r.urn, type: r.type, id: idOf(r.urn), props: props.get(r.urn) ?? {} }));
}

export function reachMessage(i: IntentResult): string {
  const end = (e: IntentResult["from"]) => (e.az ? `${e.label} (${e.az})` : e.label);
  const flow = `${end(i.from)} → ${end(i.to)} on tcp ${i.port}`;
  if (i.expect === "deny") return `Traffic ${flow} must be denied (${i.why}); every hop admits it [${i.id}].`;
  return `Traffic ${flow} must be allowed (${i.why}); it is dropped at ${i.blockedBy?.detail ?? "an unknown hop"} [${i.id}].`;
}

export const vpcRequireIntendedReachability = stackPolicy({
  name: "ec2-vpc-require-intended-reachability",
  description: "Every traffic intent of the architecture must hold under AWS's security group, network ACL and routing rules.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["X17", "X12"],
  appliesTo: [T.vpc],
  validate: ({ graph }, report) => {
    const unknowns: UnknownValueError[] = [];
    const resources = reachResources(graph.resources, unknowns);
    const stack = graph.resources.find((r) => r.type === T.vpc)?.urn.split("::")[0].replace(/^urn:pulumi:/, "") ?? "";
    const model = buildModel(resources);
    const results = checkIntents(model, architectureFromPlan(stack, model, resources));
    const stackUrns = new Set(graph.resources.map((r) => r.urn));
    for (const i of results) {
      if (i.holds || i.result === "unknown") continue;
      const at = i.blockedBy?.urn && stackUrns.has(i.blockedBy.urn) ? i.blockedBy.urn : i.to.urn;
      report(reachMessage(i), at);
    }
    // An intent that depends on a value not known yet is not a pass: let the SDK say the policy
    // cannot be verified during preview; it runs again on `pulumi up` with every value known.
    if (results.some((i) => i.result === "unknown") && unknowns[0]) throw unknowns[0];
  },
});

export const policies: Policies = [vpcRequireIntendedReachability];
