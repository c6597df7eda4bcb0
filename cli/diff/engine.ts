import {
  PropertyMap,
  PropertyValue,
  ResourceOptionsByUrn,
  ResourceV3,
  UNKNOWN_VALUE,
  UntypedDeployment,
} from "../plan/deployment";
import { isSecretValue } from "../evaluate/property-values";
import { parseUrn, ROOT_STACK_TYPE } from "../evaluate/urn";
import { dangerOf, ReplaceTable, replacesOnChange, ruleFor, ruleMatches } from "./table";

/**
 * Compares two deployment documents the way `pulumi preview` compares old state with new goals,
 * offline: resources are matched by URN (or by an alias the new one declares), inputs are compared
 * property by property, and the replace-on-change table decides whether an update replaces. Pure.
 *
 * What it models beyond a plain JSON diff:
 * - A replaced resource gets a new id/ARN, so every input that depends on it (propertyDependencies)
 *   becomes unknown in its dependants, which may replace them in turn (a subnet replace replaces its
 *   route table association). Resources are visited in topological order so this cascades.
 * - A replaced provider replaces every resource it manages.
 * - ignoreChanges and replaceOnChanges apply when the caller has the resource options (plans made
 *   in-process); the deployment file has no field for them.
 * - A delete and a create of the same type that look alike are flagged as a probable rename: URNs
 *   differ, so without `aliases` Pulumi deletes the old resource and creates a new one.
 *
 * Inputs only: like the reference notes, it cannot see provider-side defaults or CustomizeDiff
 * rules beyond those the table encodes.
 */

export const DIFF_FORMAT_VERSION = 1;

export type Op = "create" | "update" | "replace" | "delete";
/** Pulumi's `DiffKind` strings (sdk/go/common/resource/plugin/provider.go). */
export type DiffKind = "add" | "add-replace" | "delete" | "delete-replace" | "update" | "update-replace";

export interface PropertyChange {
  /** Pulumi detailed-diff path: `cidrBlock`, `tags.Name`, `ingress[0].fromPort`, `tags["a.b"]`. */
  readonly path: string;
  readonly kind: DiffKind;
  readonly old?: PropertyValue;
  /** `04da6b54-…` (Pulumi's unknown) when the value is only known after another resource's replace. */
  readonly new?: PropertyValue;
  /** For unknown values: the created or replaced resource whose new id/ARN feeds this property. */
  readonly computedFrom?: string;
  /** Why this property replaces the resource (the table rule), when it does. */
  readonly replaceRule?: string;
}

export interface ResourceChange {
  readonly op: Op;
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** The base URN when it differs (matched through `aliases`). */
  readonly oldUrn?: string;
  readonly custom: boolean;
  /** Property-level changes (updates and replaces; creates and deletes list none). */
  readonly properties: PropertyChange[];
  /** Top-level properties that force the replace, Pulumi's `replaceReasons`. */
  readonly replaceReasons: string[];
  /** An update on a type the table does not know: the provider may decide to replace. */
  readonly mayReplace: boolean;
  /** Replaced because its provider was replaced. */
  readonly providerReplaced?: boolean;
  readonly protect: boolean;
  readonly deleteBeforeReplace?: boolean;
  /**
   * From a preview digest only (cli/input): the order the engine replaces in, when the digest shows
   * the replacement steps, and the engine's own op when it is not one of the four (`import`).
   */
  readonly replaceOrder?: "create-before-replace" | "delete-before-replace";
  readonly engineOp?: string;
  /** Delete + create pairs that look like one resource renamed (or re-parented). */
  readonly renamedFrom?: string;
  readonly renamedTo?: string;
}

export interface Danger {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly op: Op;
  /** `may-replace` when an update of a dangerous type cannot be ruled out as a replace. */
  readonly severity: "replace" | "delete" | "may-replace" | "protected";
  readonly reason: string;
}

export interface OutputChange {
  readonly key: string;
  readonly kind: "add" | "delete" | "update";
  readonly old?: PropertyValue;
  readonly new?: PropertyValue;
}

export interface DiffResult {
  readonly formatVersion: typeof DIFF_FORMAT_VERSION;
  readonly stack?: string;
  readonly base: string;
  readonly head: string;
  readonly summary: { readonly create: number; readonly update: number; readonly replace: number; readonly delete: number; readonly same: number };
  /** Updates of types missing from the replace table. */
  readonly mayReplace: number;
  readonly dangers: Danger[];
  readonly changes: ResourceChange[];
  /** Stack output changes (the root Stack's outputs). */
  readonly outputs: OutputChange[];
  readonly notes: string[];
}

export interface DiffOptions {
  readonly base: UntypedDeployment;
  readonly head: UntypedDeployment;
  readonly table: ReplaceTable;
  /** Labels for the report (`HEAD~1`, `a.json`, `working tree`). */
  readonly baseLabel: string;
  readonly headLabel: string;
  readonly stack?: string;
  /** Resource options of the head plan (ignoreChanges, replaceOnChanges, deleteBeforeReplace). */
  readonly headOptions?: ResourceOptionsByUrn;
}

/** Not a type guard on purpose: a secret's false branch must keep the map type. */
function isSecret(v: PropertyValue | undefined): boolean {
  return isSecretValue(v);
}

function keyPath(prefix: string, key: string): string {
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) return prefix === "" ? key : `${prefix}.${key}`;
  return `${prefix}[${JSON.stringify(key)}]`;
}

type LeafChange = { path: string; kind: "add" | "delete" | "update"; old?: PropertyValue; new?: PropertyValue };

/** Leaf-level differences between two property values. Secrets compare as one opaque value. */
export function diffValues(oldV: PropertyValue | undefined, newV: PropertyValue | undefined, path = ""): LeafChange[] {
  if (oldV === undefined && newV === undefined) return [];
  if (oldV === undefined) return leaves(newV!, path).map((l) => ({ path: l.path, kind: "add" as const, new: l.value }));
  if (newV === undefined) return leaves(oldV, path).map((l) => ({ path: l.path, kind: "delete" as const, old: l.value }));
  const bothObjects =
    typeof oldV === "object" && typeof newV === "object" && oldV !== null && newV !== null && !isSecret(oldV) && !isSecret(newV);
  if (bothObjects && Array.isArray(oldV) && Array.isArray(newV)) {
    const out: LeafChange[] = [];
    for (let i = 0; i < Math.max(oldV.length, newV.length); i++) out.push(...diffValues(oldV[i], newV[i], `${path}[${i}]`));
    return out;
  }
  if (bothObjects && !Array.isArray(oldV) && !Array.isArray(newV)) {
    const o = oldV as PropertyMap;
    const n = newV as PropertyMap;
    const keys = [...new Set([...Object.keys(o), ...Object.keys(n)])].sort();
    return keys.flatMap((k) => diffValues(o[k], n[k], keyPath(path, k)));
  }
  return JSON.stringify(oldV) === JSON.stringify(newV) ? [] : [{ path, kind: "update", old: oldV, new: newV }];
}

function leaves(v: PropertyValue, path: string): { path: string; value: PropertyValue }[] {
  if (v !== null && typeof v === "object" && !isSecret(v)) {
    if (Array.isArray(v)) {
      if (v.length === 0) return [{ path, value: v }];
      return v.flatMap((x, i) => leaves(x, `${path}[${i}]`));
    }
    const keys = Object.keys(v).sort();
    if (keys.length === 0) return [{ path, value: v }];
    return keys.flatMap((k) => leaves((v as PropertyMap)[k], keyPath(path, k)));
  }
  return [{ path, value: v }];
}

function topKey(path: string): string {
  const m = /^([^.[]+)/.exec(path);
  return m ? m[1] : path;
}

function providerUrn(ref: string | undefined): string | undefined {
  if (!ref) return undefined;
  const i = ref.lastIndexOf("::");
  return i > 0 ? ref.slice(0, i) : ref;
}

/** Share of identical leaves between two input maps (0..1): how alike a delete and a create are. */
export function similarity(a: PropertyMap | undefined, b: PropertyMap | undefined): number {
  const la = leaves(a ?? {}, "").map((l) => `${l.path}=${JSON.stringify(l.value)}`);
  const lb = new Set(leaves(b ?? {}, "").map((l) => `${l.path}=${JSON.stringify(l.value)}`));
  const total = Math.max(la.length, lb.size);
  if (total === 0) return 1;
  return la.filter((x) => lb.has(x)).length / total;
}

/** Below this share of identical inputs a delete + create is not called a rename. */
export const RENAME_SIMILARITY = 0.5;

export const OP_ORDER: Record<Op, number> = { replace: 0, delete: 1, create: 2, update: 3 };

export function diffDeployments(opts: DiffOptions): DiffResult {
  const { table } = opts;
  const baseRes = (opts.base.deployment.resources ?? []).filter((r) => !r.external);
  const headRes = (opts.head.deployment.resources ?? []).filter((r) => !r.external);
  const baseByUrn = new Map(baseRes.map((r) => [r.urn, r]));
  const headUrns = new Set(headRes.map((r) => r.urn));
  const notes: string[] = [];
  if (!opts.headOptions) {
    notes.push(
      "Resource options are not part of the deployment format, so ignoreChanges and replaceOnChanges were not applied " +
        "(diff with --base applies them).",
    );
  }

  // Match head resources to base ones: same URN, else an alias naming a base URN no head resource has.
  const matchOf = new Map<string, ResourceV3>();
  const matchedBase = new Set<string>();
  for (const r of headRes) {
    const old = baseByUrn.get(r.urn) ?? (r.aliases ?? []).map((a) => baseByUrn.get(a)).find((b) => b && !headUrns.has(b.urn));
    if (old && !matchedBase.has(old.urn)) {
      matchOf.set(r.urn, old);
      matchedBase.add(old.urn);
    }
  }

  const replaced = new Set<string>();
  const created = new Set<string>();
  const changes: ResourceChange[] = [];
  let same = 0;
  // The deployment is topologically ordered, so a resource's dependencies are classified first.
  for (const r of headRes) {
    const name = parseUrn(r.urn).name;
    const old = matchOf.get(r.urn);
    const options = opts.headOptions?.[r.urn];
    if (!old) {
      created.add(r.urn);
      changes.push({ op: "create", urn: r.urn, type: r.type, name, custom: r.custom, properties: [], replaceReasons: [], mayReplace: false, protect: !!r.protect });
      continue;
    }
    if (r.type === ROOT_STACK_TYPE) {
      same++;
      continue;
    }
    const leafChanges = diffValues(old.inputs ?? {}, r.inputs ?? {}).filter(
      (c) => !(options?.ignoreChanges ?? []).some((ig) => ruleMatches(ig, c.path)),
    );
    // Inputs fed by a resource that is created or replaced: a preview knows them only after that
    // resource exists (the offline ids are made up, so showing them would be misleading).
    const causeOf = new Map<string, string>();
    for (const [key, urns] of Object.entries(r.propertyDependencies ?? {})) {
      const cause = urns.find((u) => replaced.has(u) || created.has(u));
      if (cause && key in (r.inputs ?? {})) causeOf.set(key, cause);
    }
    const leafWithUnknowns: LeafChange[] = leafChanges.map((c) =>
      causeOf.has(topKey(c.path)) && c.kind !== "delete" ? { ...c, new: UNKNOWN_VALUE } : c,
    );
    const changedTop = new Set(leafChanges.map((c) => topKey(c.path)));
    const computed: LeafChange[] = [];
    for (const [key, cause] of causeOf) {
      // A replaced resource keeps its URN, so the offline id did not change: add the unknown.
      if (changedTop.has(key) || !replaced.has(cause)) continue;
      if ((options?.ignoreChanges ?? []).some((ig) => ruleMatches(ig, key))) continue;
      computed.push({ path: key, kind: "update", old: old.inputs?.[key], new: UNKNOWN_VALUE });
    }
    const providerWasReplaced = replaced.has(providerUrn(r.provider) ?? "");
    const properties: PropertyChange[] = [];
    const replaceReasons = new Set<string>();
    let unknownType = false;
    for (const c of [...leafWithUnknowns, ...computed].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
      const verdict = r.custom || r.provider
        ? replacesOnChange(table, r.type, c.path, {
            oldInputs: old.inputs,
            newInputs: r.inputs,
            oldValue: c.old,
            newValue: c.new,
            replaceOnChanges: options?.replaceOnChanges,
          })
        : { replaces: false as const };
      if (verdict.replaces === "unknown") unknownType = true;
      const replaces = verdict.replaces === true;
      if (replaces) replaceReasons.add(topKey(c.path));
      properties.push({
        path: c.path,
        kind: (replaces ? `${c.kind}-replace` : c.kind) as DiffKind,
        ...(c.old !== undefined ? { old: c.old } : {}),
        ...(c.new !== undefined ? { new: c.new } : {}),
        ...(c.new === UNKNOWN_VALUE && causeOf.has(topKey(c.path)) ? { computedFrom: causeOf.get(topKey(c.path)) } : {}),
        ...(replaces && verdict.because ? { replaceRule: verdict.because } : {}),
      });
    }
    const isReplace = replaceReasons.size > 0 || providerWasReplaced;
    if (!isReplace && properties.length === 0) {
      same++;
      continue;
    }
    if (isReplace) replaced.add(r.urn);
    changes.push({
      op: isReplace ? "replace" : "update",
      urn: r.urn,
      type: r.type,
      name,
      ...(old.urn !== r.urn ? { oldUrn: old.urn } : {}),
      custom: r.custom,
      properties,
      replaceReasons: [...replaceReasons].sort(),
      mayReplace: !isReplace && unknownType,
      ...(providerWasReplaced ? { providerReplaced: true } : {}),
      protect: !!(r.protect || old.protect),
      ...(isReplace && options?.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
    });
  }
  for (const b of baseRes) {
    if (matchedBase.has(b.urn)) continue;
    changes.push({
      op: "delete",
      urn: b.urn,
      type: b.type,
      name: parseUrn(b.urn).name,
      custom: b.custom,
      properties: [],
      replaceReasons: [],
      mayReplace: false,
      protect: !!b.protect,
    });
  }

  pairRenames(changes, baseByUrn, new Map(headRes.map((r) => [r.urn, r])));

  changes.sort((a, b) => OP_ORDER[a.op] - OP_ORDER[b.op] || (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
  const count = (op: Op) => changes.filter((c) => c.op === op).length;
  return {
    formatVersion: DIFF_FORMAT_VERSION,
    ...(opts.stack ? { stack: opts.stack } : {}),
    base: opts.baseLabel,
    head: opts.headLabel,
    summary: { create: count("create"), update: count("update"), replace: count("replace"), delete: count("delete"), same },
    mayReplace: changes.filter((c) => c.mayReplace).length,
    dangers: dangersOf(changes, table),
    changes,
    outputs: outputChanges(opts.base, opts.head),
    notes,
  };
}

/** Marks delete/create pairs of one type whose inputs mostly agree: likely a rename. */
function pairRenames(changes: ResourceChange[], base: Map<string, ResourceV3>, head: Map<string, ResourceV3>): void {
  const deletes = changes.filter((c) => c.op === "delete");
  const creates = changes.filter((c) => c.op === "create");
  const candidates: { d: ResourceChange; c: ResourceChange; score: number }[] = [];
  for (const d of deletes) {
    for (const c of creates) {
      if (c.type !== d.type) continue;
      const score = similarity(base.get(d.urn)?.inputs, head.get(c.urn)?.inputs) + (c.name === d.name ? 0.5 : 0);
      if (score >= RENAME_SIMILARITY) candidates.push({ d, c, score });
    }
  }
  candidates.sort((a, b) => b.score - a.score || (a.d.urn < b.d.urn ? -1 : 1) || (a.c.urn < b.c.urn ? -1 : 1));
  const used = new Set<string>();
  for (const { d, c } of candidates) {
    if (used.has(d.urn) || used.has(c.urn)) continue;
    used.add(d.urn);
    used.add(c.urn);
    changes[changes.indexOf(d)] = { ...d, renamedTo: c.urn };
    changes[changes.indexOf(c)] = { ...c, renamedFrom: d.urn };
  }
}

export function dangersOf(changes: readonly ResourceChange[], table: ReplaceTable): Danger[] {
  const out: Danger[] = [];
  for (const c of changes) {
    const what = dangerOf(table, c.type);
    if (c.protect) {
      const blocked = c.op === "delete" || c.op === "replace";
      out.push({
        urn: c.urn,
        type: c.type,
        name: c.name,
        op: c.op,
        severity: "protected",
        reason: blocked
          ? `${c.op} of a protected resource: \`pulumi up\` will refuse until protect is removed deliberately`
          : `${c.op} of a protected resource`,
      });
    }
    if (!what) continue;
    if (c.op === "replace" || c.op === "delete") {
      const why = c.op === "replace" ? replaceWhy(c) : c.renamedTo ? " (renamed without aliases?)" : "";
      out.push({ urn: c.urn, type: c.type, name: c.name, op: c.op, severity: c.op, reason: `${c.op} of ${what}${why}` });
    } else if (c.mayReplace) {
      out.push({ urn: c.urn, type: c.type, name: c.name, op: c.op, severity: "may-replace", reason: `update of ${what} may replace it` });
    }
  }
  return out;
}

function replaceWhy(c: ResourceChange): string {
  if (c.providerReplaced) return " (its provider is replaced)";
  const computed = c.properties.filter((p) => p.computedFrom && p.kind.endsWith("-replace"));
  const direct = c.replaceReasons.filter((k) => !computed.some((p) => p.path === k));
  const parts: string[] = [];
  if (direct.length > 0) parts.push(`changed ${direct.join(", ")}`);
  if (computed.length > 0) parts.push(`${computed.map((p) => p.path).join(", ")} known only after a replace upstream`);
  return parts.length > 0 ? ` (${parts.join("; ")})` : "";
}

export function outputChanges(base: UntypedDeployment, head: UntypedDeployment): OutputChange[] {
  const rootOutputs = (d: UntypedDeployment) =>
    (d.deployment.resources ?? []).find((r) => r.type === ROOT_STACK_TYPE && !r.parent)?.outputs ?? {};
  const o = rootOutputs(base);
  const n = rootOutputs(head);
  const out: OutputChange[] = [];
  for (const key of [...new Set([...Object.keys(o), ...Object.keys(n)])].sort()) {
    if (!(key in o)) out.push({ key, kind: "add", new: n[key] });
    else if (!(key in n)) out.push({ key, kind: "delete", old: o[key] });
    else if (JSON.stringify(o[key]) !== JSON.stringify(n[key])) out.push({ key, kind: "update", old: o[key], new: n[key] });
  }
  return out;
}

export { ruleFor };
