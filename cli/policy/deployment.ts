/**
 * The Pulumi deployment document (`pulumi stack export`, `apitype.UntypedDeployment` version 3) as
 * far as policy evaluation reads it, plus the checks that make a malformed document an evaluation
 * error (exit 2) instead of a silently empty check.
 *
 * Shape: see ../shared/reference/pulumi-formats.md §1.3 (`DeploymentV3`, `ResourceV3`).
 */

import { PropertyMap } from "../evaluate/property-values";

// Policy tests build fixture documents from these; the signatures live in property-values.ts.
export { PropertyMap, PropertyValue, UNKNOWN } from "../evaluate/property-values";

export interface CustomTimeoutsV1 {
  readonly create?: number;
  readonly update?: number;
  readonly delete?: number;
}

/** One resource of a deployment (`apitype.ResourceV3`), the fields the analyzer protocol carries. */
export interface ResourceV3 {
  readonly urn: string;
  readonly custom?: boolean;
  readonly delete?: boolean;
  readonly id?: string;
  readonly type: string;
  readonly inputs?: PropertyMap;
  readonly outputs?: PropertyMap;
  readonly parent?: string;
  readonly protect?: boolean;
  readonly dependencies?: readonly string[];
  /** `<provider URN>::<provider id>` */
  readonly provider?: string;
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
  readonly additionalSecretOutputs?: readonly string[];
  readonly aliases?: readonly string[];
  readonly customTimeouts?: CustomTimeoutsV1;
  readonly ignoreChanges?: readonly string[];
  readonly deleteBeforeReplace?: boolean;
  readonly sourcePosition?: string;
}

export interface DeploymentV3 {
  readonly manifest?: Readonly<Record<string, unknown>>;
  readonly resources?: readonly ResourceV3[];
}

export interface DeploymentDocument {
  readonly version: number;
  readonly deployment: DeploymentV3;
}

export class DeploymentError extends Error {}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Validates the parts of a deployment document the check relies on and returns it typed. Every
 * problem is collected and reported at once, naming the resource and the field.
 */
export function parseDeployment(raw: unknown, source = "deployment"): DeploymentDocument {
  const problems: string[] = [];
  if (!isRecord(raw)) throw new DeploymentError(`${source}: expected a JSON object, got ${typeof raw}`);
  if (raw.version !== 3) {
    problems.push(`version must be 3 (a \`pulumi stack export\` document), got ${JSON.stringify(raw.version)}`);
  }
  const deployment = raw.deployment;
  if (!isRecord(deployment)) {
    problems.push("deployment must be an object");
  } else if (deployment.resources !== undefined && !Array.isArray(deployment.resources)) {
    problems.push("deployment.resources must be an array");
  } else {
    const seen = new Set<string>();
    (deployment.resources as unknown[] | undefined)?.forEach((r, i) => {
      const where = `deployment.resources[${i}]`;
      if (!isRecord(r)) {
        problems.push(`${where} must be an object`);
        return;
      }
      if (typeof r.urn !== "string" || !r.urn.startsWith("urn:pulumi:")) {
        problems.push(`${where}.urn must be a Pulumi URN, got ${JSON.stringify(r.urn)}`);
      } else if (seen.has(r.urn) && r.delete !== true) {
        problems.push(`${where}.urn ${r.urn} appears twice`);
      } else if (r.delete !== true) {
        seen.add(r.urn);
      }
      if (typeof r.type !== "string" || r.type === "") problems.push(`${where}.type must be a type token`);
      for (const key of ["inputs", "outputs", "propertyDependencies"] as const) {
        if (r[key] !== undefined && !isRecord(r[key])) problems.push(`${where}.${key} must be an object`);
      }
      if (r.dependencies !== undefined && !Array.isArray(r.dependencies)) {
        problems.push(`${where}.dependencies must be an array of URNs`);
      }
    });
  }
  if (problems.length > 0) {
    throw new DeploymentError(`Invalid ${source}:\n - ${problems.join("\n - ")}`);
  }
  return raw as unknown as DeploymentDocument;
}

/** `urn:pulumi:<stack>::<project>::<type>::<name>` → its parts. */
export function parseUrn(urn: string): { stack: string; project: string; qualifiedType: string; name: string } {
  const body = urn.slice("urn:pulumi:".length);
  const parts = body.split("::");
  const [stack = "", project = "", qualifiedType = ""] = parts;
  // A logical name may itself contain "::"; everything after the third separator is the name.
  const name = parts.slice(3).join("::");
  return { stack, project, qualifiedType, name };
}

/** The live resources of a document (pending deletes are not part of the stack's final shape). */
export function liveResources(doc: DeploymentDocument): ResourceV3[] {
  return (doc.deployment.resources ?? []).filter((r) => r.delete !== true);
}
