import { ResourceV3, UntypedDeployment } from "./deployment";
import { parseUrn, ROOT_STACK_TYPE } from "../evaluate/urn";
import { countResources, describeCounts } from "./counts";

/**
 * Text rendering of a plan: the component tree and counts per resource type. Pure.
 */

export interface RenderOptions {
  readonly stack: string;
  /** URNs of multi-language components (children not expanded under mocks). */
  readonly remoteUrns: readonly string[];
  /** Where the document was written, if it was. */
  readonly writtenTo?: string;
  readonly upstream?: readonly string[];
  readonly wallMs?: number;
}

export function countsByType(resources: readonly ResourceV3[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

function label(r: ResourceV3, remote: ReadonlySet<string>): string {
  const name = parseUrn(r.urn).name;
  const flags: string[] = [];
  if (r.id) flags.push(r.id);
  if (r.external) flags.push("read");
  if (r.protect) flags.push("protected");
  if (remote.has(r.urn)) flags.push("remote component, not expanded");
  return `${r.type}  ${name}${flags.length > 0 ? `  [${flags.join(", ")}]` : ""}`;
}

/** Children sorted by type then name, so the tree reads the same however registration interleaved. */
export function renderTree(resources: readonly ResourceV3[], remoteUrns: readonly string[]): string[] {
  const remote = new Set(remoteUrns);
  const known = new Set(resources.map((r) => r.urn));
  const children = new Map<string, ResourceV3[]>();
  const roots: ResourceV3[] = [];
  for (const r of resources) {
    if (r.parent && known.has(r.parent)) {
      const list = children.get(r.parent) ?? [];
      list.push(r);
      children.set(r.parent, list);
    } else roots.push(r);
  }
  const order = (a: ResourceV3, b: ResourceV3) => {
    // The root Stack first, providers last: that is how a reader scans a plan.
    const rank = (r: ResourceV3) => (r.type === ROOT_STACK_TYPE ? 0 : r.type.startsWith("pulumi:providers:") ? 2 : 1);
    return rank(a) - rank(b) || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0) || (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0);
  };
  const lines: string[] = [];
  const walk = (r: ResourceV3, prefix: string, connector: string, childPrefix: string) => {
    lines.push(`${prefix}${connector}${label(r, remote)}`);
    const kids = (children.get(r.urn) ?? []).sort(order);
    kids.forEach((k, i) => {
      const last = i === kids.length - 1;
      walk(k, prefix + childPrefix, last ? "└─ " : "├─ ", last ? "   " : "│  ");
    });
  };
  for (const root of roots.sort(order)) walk(root, "", "", "");
  return lines;
}

export function renderPlanText(doc: UntypedDeployment, opts: RenderOptions): string {
  const resources = doc.deployment.resources ?? [];
  const lines: string[] = [];
  const timing = opts.wallMs !== undefined ? ` in ${(opts.wallMs / 1000).toFixed(1)} s` : "";
  lines.push(`Stack ${opts.stack}: ${resources.length} resources (${describeCounts(countResources(resources, opts.remoteUrns))})${timing}`);
  if (opts.upstream && opts.upstream.length > 0) {
    lines.push(`StackReferences answered from the plans of: ${opts.upstream.join(", ")}`);
  }
  lines.push("");
  lines.push(...renderTree(resources, opts.remoteUrns));
  lines.push("");
  lines.push("Resources by type:");
  const counts = countsByType(resources);
  const width = Math.max(3, ...counts.map(([, n]) => String(n).length));
  for (const [type, n] of counts) lines.push(`  ${String(n).padStart(width)}  ${type}`);
  lines.push(`  ${String(resources.length).padStart(width)}  total`);
  if (opts.remoteUrns.length > 0) {
    lines.push("");
    lines.push(
      `${opts.remoteUrns.length} remote component(s) appear as one resource each: their children are created by ` +
        `their provider plugin at deploy time and are not part of this offline plan.`,
    );
  }
  if (opts.writtenTo) {
    lines.push("");
    lines.push(`Deployment written to ${opts.writtenTo}`);
  }
  return lines.join("\n") + "\n";
}
