import {
  dangersOf,
  DiffKind,
  DiffResult,
  DIFF_FORMAT_VERSION,
  Op,
  OP_ORDER,
  outputChanges,
  PropertyChange,
  ResourceChange,
} from "../diff/engine";
import { ReplaceTable } from "../diff/table";
import { parseUrn, ROOT_STACK_TYPE } from "../evaluate/urn";
import type { PropertyMap, PropertyValue } from "../plan/deployment";
import type { EngineStep, PreviewFacts } from "./load";

/**
 * A DiffResult from a `pulumi preview --json` digest: the engine's own operations, replace reasons
 * and detailed diff instead of the offline engine's inference (cli/diff/engine.ts), so the same
 * renderers and the review report show them. Pure.
 *
 * The engine compared the program with the deployed state (real ids, drift, provider diffs), which
 * no offline plan can: its `replace` is what `pulumi up` will do, so nothing is "may replace".
 */

const DIFF_KINDS: ReadonlySet<string> = new Set([
  "add",
  "add-replace",
  "delete",
  "delete-replace",
  "update",
  "update-replace",
]);

/**
 * Pulumi property paths as the detailed diff writes them (`resource.PropertyPath` String()):
 * `a.b`, `a[0]`, `a["key.with.dots"]`. Returns the segments, or undefined for a malformed path.
 */
export function parsePropertyPath(path: string): (string | number)[] | undefined {
  const out: (string | number)[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === "[") {
      const close = path.indexOf("]", i);
      if (close < 0) return undefined;
      const inner = path.slice(i + 1, close);
      if (inner.startsWith('"')) {
        try {
          out.push(JSON.parse(inner) as string);
        } catch {
          return undefined;
        }
      } else if (/^\d+$/.test(inner)) out.push(Number(inner));
      else return undefined;
      i = close + 1;
      if (path[i] === ".") i++;
    } else {
      let j = i;
      while (j < path.length && path[j] !== "." && path[j] !== "[") j++;
      out.push(path.slice(i, j));
      i = path[j] === "." ? j + 1 : j;
    }
  }
  return out;
}

function valueAt(map: PropertyMap | undefined, path: string): PropertyValue | undefined {
  const segments = parsePropertyPath(path);
  if (!segments || !map) return undefined;
  let v: PropertyValue | undefined = map;
  for (const s of segments) {
    if (v === null || v === undefined || typeof v !== "object") return undefined;
    v = Array.isArray(v) ? (typeof s === "number" ? v[s] : undefined) : (v as PropertyMap)[String(s)];
  }
  return v;
}

/**
 * Property changes of one step. With a detailed diff, its paths and kinds; `inputDiff: false`
 * compares the old state's outputs with the new inputs (the provider diffed against the live
 * resource), `true` old inputs with new inputs. Without one (often so on replaces), one change per
 * `diffReasons` key, marked `-replace` when it is also a replace reason.
 */
function propertiesOf(step: EngineStep): PropertyChange[] {
  const out: PropertyChange[] = [];
  const replaceKeys = new Set(step.replaceReasons);
  const newInputs = step.new?.inputs;
  if (step.detailedDiff && Object.keys(step.detailedDiff).length > 0) {
    for (const [path, d] of Object.entries(step.detailedDiff)) {
      const kind = (DIFF_KINDS.has(d.kind) ? d.kind : "update") as DiffKind;
      const old = valueAt(d.inputDiff ? step.old?.inputs : (step.old?.outputs ?? step.old?.inputs), path);
      const now = valueAt(newInputs, path);
      out.push({
        path,
        kind,
        ...(old !== undefined && !kind.startsWith("add") ? { old } : {}),
        ...(now !== undefined && !kind.startsWith("delete") ? { new: now } : {}),
      });
    }
  } else {
    const keys = new Set([...step.diffReasons, ...step.replaceReasons]);
    for (const key of keys) {
      const old = step.old?.inputs?.[key];
      const now = newInputs?.[key];
      const base = old === undefined ? "add" : now === undefined ? "delete" : "update";
      out.push({
        path: key,
        kind: (replaceKeys.has(key) ? `${base}-replace` : base) as DiffKind,
        ...(old !== undefined ? { old } : {}),
        ...(now !== undefined ? { new: now } : {}),
      });
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The four ops reports know; `import` creates the resource in the stack (it adopts it). */
function opOf(step: EngineStep): Op | "same" | undefined {
  switch (step.op) {
    case "create":
    case "import":
      return "create";
    case "update":
      return "update";
    case "replace":
    case "create-replacement":
    case "import-replacement":
    case "read-replacement":
      return "replace";
    case "delete":
    case "discard":
      return "delete";
    case "same":
      return "same";
    // read: a `get` of a resource the stack does not manage; refresh: only with --refresh, the
    // change it finds shows as the following update; the rest belong to a replace above.
    default:
      return undefined;
  }
}

export interface PreviewDiffOptions {
  readonly table: ReplaceTable;
  readonly stack?: string;
  /** Report labels; default "deployed state" → "pulumi preview". */
  readonly baseLabel?: string;
  readonly headLabel?: string;
}

export function diffPreview(facts: PreviewFacts, opts: PreviewDiffOptions): DiffResult {
  const changes: ResourceChange[] = [];
  let same = 0;
  for (const step of facts.steps) {
    const op = opOf(step);
    if (op === undefined) continue;
    // The root Stack "updates" whenever an output changes; the offline diff counts it as unchanged
    // and lists output changes apart, and so does this.
    if (op === "same" || (step.type === ROOT_STACK_TYPE && (op === "update" || op === "replace"))) {
      same++;
      continue;
    }
    const state = step.new ?? step.old;
    const properties = op === "update" || op === "replace" ? propertiesOf(step) : [];
    const dbr = step.replaceOrder === "delete-before-replace";
    changes.push({
      op,
      urn: step.urn,
      type: step.type,
      name: parseUrn(step.urn).name,
      custom: state?.custom ?? false,
      properties,
      replaceReasons: op === "replace" ? [...step.replaceReasons].sort() : [],
      mayReplace: false,
      protect: !!(step.new?.protect || step.old?.protect),
      ...(dbr ? { deleteBeforeReplace: true } : {}),
      ...(op === "replace" && step.replaceOrder ? { replaceOrder: step.replaceOrder } : {}),
      ...(step.op !== op ? { engineOp: step.op } : {}),
    });
  }
  changes.sort((a, b) => OP_ORDER[a.op] - OP_ORDER[b.op] || (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
  const count = (op: Op) => changes.filter((c) => c.op === op).length;
  const notes = [
    "Operations are the engine's own (`pulumi preview` against the deployed state), not inferred offline.",
  ];
  const replaces = count("replace");
  if (replaces > 0 && !facts.replacementSteps)
    notes.push(
      "The preview was run without --show-replacement-steps, so it does not say which replaces delete the old resource first.",
    );
  for (const d of facts.diagnostics.filter((x) => x.severity === "error" || x.severity === "warning"))
    notes.push(`Preview ${d.severity}${d.urn ? ` (${parseUrn(d.urn).name})` : ""}: ${d.message.trim()}`);
  return {
    formatVersion: DIFF_FORMAT_VERSION,
    ...(opts.stack ? { stack: opts.stack } : {}),
    base: opts.baseLabel ?? "deployed state",
    head: opts.headLabel ?? "pulumi preview",
    summary: {
      create: count("create"),
      update: count("update"),
      replace: replaces,
      delete: count("delete"),
      // Unchanged resources a digest without --show-sames does not list are still counted there.
      same: same + facts.samesNotShown,
    },
    mayReplace: 0,
    dangers: dangersOf(changes, opts.table),
    changes,
    outputs: outputChanges(facts.before, {
      version: 3,
      deployment: {
        manifest: facts.before.deployment.manifest,
        resources: facts.steps.filter((s) => s.type === ROOT_STACK_TYPE && s.new).map((s) => s.new!),
      },
    }),
    notes,
  };
}
