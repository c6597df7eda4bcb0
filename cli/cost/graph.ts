import { UNKNOWN, isSecretValue } from "../evaluate/property-values";
import { DeploymentDocument, DeploymentResource } from "./types";

/**
 * Index over a deployment's resources, and the one place that follows references between them.
 *
 * A reference such as an ECS service's `taskDefinition` (an ARN) can be followed three ways,
 * tried in this order:
 *  1. `propertyDependencies[prop]`: the URNs the engine recorded for that input. Exact, and the
 *     only way that works in a preview, where the ARN is still unknown.
 *  2. the input's value against the candidate's physical identifiers (id, arn, name, …).
 *  3. `dependencies`, when exactly one candidate of the wanted type is among them.
 */

const ID_FIELDS = [
  "arn",
  "arnWithoutRevision",
  "id",
  "name",
  "clusterIdentifier",
  "identifier",
  "keyId",
  "family",
] as const;

export class DeploymentGraph {
  readonly resources: readonly DeploymentResource[];
  private readonly byUrn = new Map<string, DeploymentResource>();

  constructor(doc: DeploymentDocument) {
    // Resources pending deletion (`delete: true`) are already replaced; AWS stops billing them
    // once the step finishes, so they are not part of the steady-state estimate.
    this.resources = (doc.deployment.resources ?? []).filter((r) => !r.delete);
    for (const r of this.resources) this.byUrn.set(r.urn, r);
  }

  get(urn: string): DeploymentResource | undefined {
    return this.byUrn.get(urn);
  }

  ofType(...types: string[]): DeploymentResource[] {
    return this.resources.filter((r) => types.includes(r.type));
  }

  childrenOf(urn: string): DeploymentResource[] {
    return this.resources.filter((r) => r.parent === urn);
  }

  /** Follow `from.inputs[prop]` to a resource of one of `types`; see the class comment. */
  follow(
    from: DeploymentResource,
    prop: string,
    types: readonly string[],
  ): DeploymentResource | undefined {
    const candidates = this.resources.filter((r) => types.includes(r.type));
    const viaProp = from.propertyDependencies?.[prop] ?? [];
    for (const urn of viaProp) {
      const hit = candidates.find((c) => c.urn === urn);
      if (hit) return hit;
    }
    const value = from.inputs?.[prop];
    const wanted = referenceStrings(value);
    if (wanted.length > 0) {
      const hit = candidates.find((c) => identifiersOf(c).some((id) => wanted.includes(id)));
      if (hit) return hit;
    }
    const viaDeps = candidates.filter((c) => (from.dependencies ?? []).includes(c.urn));
    return viaDeps.length === 1 ? viaDeps[0] : undefined;
  }

  /** Resources of `types` that refer to `target` through input `prop` (the reverse of follow). */
  referrers(
    target: DeploymentResource,
    prop: string,
    types: readonly string[],
  ): DeploymentResource[] {
    const ids = identifiersOf(target);
    return this.resources.filter((r) => {
      if (!types.includes(r.type)) return false;
      if ((r.propertyDependencies?.[prop] ?? []).includes(target.urn)) return true;
      return referenceStrings(r.inputs?.[prop]).some((v) => ids.includes(v));
    });
  }
}

/** The strings a reference input may hold (a plain ARN/id, or `{id, name}` as launch templates do). */
function referenceStrings(value: unknown): string[] {
  if (typeof value === "string")
    return value === UNKNOWN || value === "" ? [] : [value, stripRevision(value)];
  if (value && typeof value === "object" && !Array.isArray(value)) {
    return Object.values(value as Record<string, unknown>).flatMap((v) =>
      typeof v === "string" && v !== UNKNOWN && v !== "" ? [v] : [],
    );
  }
  return [];
}

/** `arn:…:task-definition/web:3` → `arn:…:task-definition/web`: services may pin a revision. */
function stripRevision(arn: string): string {
  return arn.replace(/:\d+$/, "");
}

function identifiersOf(r: DeploymentResource): string[] {
  const out: string[] = [];
  if (r.id) out.push(r.id);
  for (const bag of [r.outputs, r.inputs]) {
    if (!bag) continue;
    for (const f of ID_FIELDS) {
      const v = bag[f];
      if (typeof v === "string" && v !== UNKNOWN && v !== "") out.push(v, stripRevision(v));
    }
  }
  return out;
}

/**
 * A secret property value (`{<sig>: <secret sig>, plaintext}`) as its plain value; a secret
 * that only has ciphertext is unknown here. Other values pass through.
 */
export function unwrapSecret(value: unknown): unknown {
  if (!isSecretValue(value)) return value;
  const o = value;
  if (typeof o.plaintext !== "string") return undefined;
  try {
    return JSON.parse(o.plaintext);
  } catch {
    return o.plaintext;
  }
}

/** The value of `inputs[key]`, else `outputs[key]` (outputs carry provider-computed defaults). */
export function prop(r: DeploymentResource, key: string): unknown {
  const v = unwrapSecret(r.inputs?.[key]);
  if (v !== undefined && v !== null && v !== UNKNOWN) return v;
  const o = unwrapSecret(r.outputs?.[key]);
  return o === UNKNOWN ? undefined : o;
}

export function num(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== UNKNOWN ? value : undefined;
}

export function bool(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  return undefined;
}

export function list(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

export function obj(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
