import { stackOfPlan } from "../contract";
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

/**
 * Checks every intent of `arch` against the model built from `docs` (the stack's plan first, then
 * the management stack's when the stack peers with it).
 */
export function reach(arch: Architecture, docs: readonly ReachDocument[]): { model: NetworkModel; report: ReachReport } {
  const resources: ReachResource[] = docs.flatMap((d) => resourcesOfDocument(d));
  const model = buildModel(resources);
  const names = docs.map((d) => stackOfPlan(d) ?? "?");
  return { model, report: report(arch.stack, checkIntents(model, arch), names) };
}
