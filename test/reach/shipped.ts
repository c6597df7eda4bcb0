import { ReachResource } from "../../cli/reach/model";
import { MANAGEMENT_STACK } from "../../infra/stacks";
import { evaluateShipped } from "../support/stacks";

/**
 * The resources `platform reach` sees for a shipped stack: its own evaluation and, for an
 * environment, the management stack's (as `platform plan` documents hold them: inputs and outputs).
 */
export async function shippedResources(stack: string): Promise<ReachResource[]> {
  const stacks = stack === MANAGEMENT_STACK ? [stack] : [stack, MANAGEMENT_STACK];
  const out: ReachResource[] = [];
  for (const s of stacks) {
    const ev = await evaluateShipped(s);
    for (const r of ev.resources) {
      out.push({ urn: r.urn, type: r.type, ...(r.id ? { id: r.id } : {}), props: { ...r.inputs, ...r.outputs } });
    }
  }
  return out;
}

/** The one resource of `type` (a suffix such as "ec2/route:Route") named `name`. */
export function find(resources: readonly ReachResource[], type: string, name: string): ReachResource {
  const hits = resources.filter((r) => r.type.endsWith(type) && r.urn.endsWith(`::${name}`));
  if (hits.length !== 1) throw new Error(`${hits.length} resources of type ${type} named ${name}`);
  return hits[0];
}

/** A copy of `resources` with one resource's properties changed (or the resource removed). */
export function mutate(resources: readonly ReachResource[], type: string, name: string, change: Record<string, unknown> | "remove"): ReachResource[] {
  const target = find(resources, type, name);
  if (change === "remove") return resources.filter((r) => r !== target);
  return resources.map((r) => (r === target ? { ...r, props: { ...r.props, ...change } } : r));
}

/** A deployment document (`pulumi stack export` shape) of one stack's resources. */
export function documentOf(resources: readonly ReachResource[], stack: string) {
  // Through JSON, as a document on disk is: no undefined values.
  return JSON.parse(JSON.stringify({
    version: 3 as const,
    deployment: {
      manifest: { time: "0001-01-01T00:00:00Z", magic: "", version: "v3" },
      resources: resources
        .filter((r) => r.urn.startsWith(`urn:pulumi:${stack}::`))
        .map((r) => ({ urn: r.urn, custom: true, type: r.type, ...(r.id ? { id: r.id } : {}), inputs: r.props, outputs: r.props })),
    },
  })) as { version: 3; deployment: { manifest: object; resources: Array<Record<string, unknown>> } };
}
