import { Architecture, checkIntents } from "./intents";
import { NetworkModel, ReachResource, buildModel, resourcesOfDocument } from "./model";
import { ReachReport, report } from "./render";

export { Architecture, IntentResult, checkIntents, deriveIntents } from "./intents";
export { Endpoint, FlowResult, Hop, evaluateFlow, evaluateNacl, placements } from "./evaluate";
export { NetworkModel, ReachResource, buildModel, resourcesOfDocument } from "./model";
export { ReachReport, toJson, toText } from "./render";

/** A deployment document as `platform plan` writes it or `pulumi stack export` prints it. */
export interface ReachDocument {
  readonly deployment?: { readonly resources?: ReadonlyArray<object> };
}

/** The stack a document belongs to (from its URNs: `urn:pulumi:<stack>::<project>::…`). */
export function stackOfDocument(doc: ReachDocument): string | undefined {
  const resources = (doc.deployment?.resources ?? []) as ReadonlyArray<Record<string, unknown>>;
  const root = resources.find((r) => r.type === "pulumi:pulumi:Stack") ?? resources[0];
  return typeof root?.urn === "string" ? root.urn.split("::")[0].replace(/^urn:pulumi:/, "") : undefined;
}

/**
 * Checks every intent of `arch` against the model built from `docs` (the stack's plan first, then
 * the management stack's when the stack peers with it).
 */
export function reach(arch: Architecture, docs: readonly ReachDocument[]): { model: NetworkModel; report: ReachReport } {
  const resources: ReachResource[] = docs.flatMap((d) => resourcesOfDocument(d));
  const model = buildModel(resources);
  const names = docs.map((d) => stackOfDocument(d) ?? "?");
  return { model, report: report(arch.stack, checkIntents(model, arch), names) };
}
