import { ResourceV3 } from "./deployment";
import { ROOT_STACK_TYPE } from "../evaluate/urn";

/**
 * What a deployment document's resources are, so each command can say what it counts.
 *
 * `platform plan` lists every entry of the document (what `pulumi stack export` holds), `platform
 * diff`/`review` compare the resources Pulumi manages (reads are not compared: the engine never
 * creates, updates or deletes them), and `platform cost` prices what AWS bills (custom AWS
 * resources, plus remote components that stand for one). The three figures differ by design; this
 * is the one place that names the parts. Pure.
 */
export interface ResourceCounts {
  /** Every entry of the document. */
  readonly total: number;
  /** The root `pulumi:pulumi:Stack` (0 or 1). */
  readonly stack: number;
  /** `pulumi:providers:*` (default and explicit providers). */
  readonly providers: number;
  /** Component resources (`custom: false`), remote ones included. */
  readonly components: number;
  /** Of `components`: multi-language components whose children are created at deploy time. */
  readonly remoteComponents: number;
  /** Reads (`external: true`): StackReferences and `.get()` lookups. Never created or diffed. */
  readonly reads: number;
  /** Custom resources Pulumi creates and manages (providers excluded). */
  readonly custom: number;
  /** What `platform diff` and `review` compare: everything except reads. */
  readonly managed: number;
}

export function countResources(resources: readonly ResourceV3[], remoteUrns: readonly string[] = []): ResourceCounts {
  const remote = new Set(remoteUrns);
  let stack = 0;
  let providers = 0;
  let components = 0;
  let remoteComponents = 0;
  let reads = 0;
  let custom = 0;
  for (const r of resources) {
    if (r.external) reads++;
    else if (r.type === ROOT_STACK_TYPE) stack++;
    else if (r.type.startsWith("pulumi:providers:")) providers++;
    else if (!r.custom) {
      components++;
      if (remote.has(r.urn)) remoteComponents++;
    } else custom++;
  }
  return { total: resources.length, stack, providers, components, remoteComponents, reads, custom, managed: resources.length - reads };
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "123 custom, 9 components (2 remote), 3 providers, 1 read, 1 stack": the parts of `total`. */
export function describeCounts(c: ResourceCounts): string {
  const parts = [`${c.custom} custom`, plural(c.components, "component", "components") + (c.remoteComponents > 0 ? ` (${c.remoteComponents} remote)` : "")];
  parts.push(plural(c.providers, "provider", "providers"));
  if (c.reads > 0) parts.push(plural(c.reads, "read", "reads"));
  if (c.stack > 0) parts.push(plural(c.stack, "stack", "stacks"));
  return parts.join(", ");
}
