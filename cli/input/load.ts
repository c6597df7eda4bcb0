import * as fs from "fs";
import {
  FIXED_MANIFEST_TIME,
  PropertyMap,
  PropertyValue,
  ResourceOptions,
  ResourceOptionsByUrn,
  UntypedDeployment,
} from "../plan/deployment";
import { isSecretValue, SECRET_SIG, SIG_KEY } from "../evaluate/property-values";
import { DeploymentError, parseDeployment } from "../policy/deployment";
import {
  PREVIEW_SECRET,
  PreviewResourceV3,
  PreviewStep,
  REMOVING_OPS,
  STEP_OPS,
  StepOp,
} from "./pulumi-types";

/**
 * One input layer for every command that takes a plan file (check, cost, diff, review, reach): it
 * recognises by shape an offline plan (`platform plan`), a `pulumi stack export` document and a
 * `pulumi preview --json` digest, and turns each into the same in-memory stack graph, a version-3
 * deployment whose resources are the stack as it will be. Pure apart from `readStackInput`.
 *
 * Formats: see ./pulumi-types.ts for the Go structs and the Pulumi commit they were read at.
 */

export type InputFormat = "offline-plan" | "stack-export" | "preview-digest";

/** How the review report and errors name each format. */
export const FORMAT_LABEL: Readonly<Record<InputFormat, string>> = {
  "offline-plan": "offline plan",
  "stack-export": "stack export",
  "preview-digest": "pulumi preview",
};

/** The suffix `platform plan` writes into `manifest.version` (cli/plan/deployment.ts manifestVersion). */
const OFFLINE_VERSION_SUFFIX = "+offline-plan";

/**
 * Errors name the file, the formats that were expected and what was found instead. Extends the
 * policy reader's error so every command that already reports `DeploymentError` as exit 2 does so
 * for these too.
 */
export class InputError extends DeploymentError {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

export type ReplaceOrder = "create-before-replace" | "delete-before-replace";

/** One resource's step as the engine planned it (the `replace` triple folded into one). */
export interface EngineStep {
  /** The logical op: create, update, replace, delete, same, read, import, refresh, discard… */
  readonly op: StepOp;
  readonly urn: string;
  readonly type: string;
  readonly old?: PreviewResourceV3;
  readonly new?: PreviewResourceV3;
  readonly diffReasons: readonly string[];
  readonly replaceReasons: readonly string[];
  /** `null` when the provider gave no detailed diff (often so on replaces). */
  readonly detailedDiff: PreviewStep["detailedDiff"];
  /**
   * From the order of the physical steps (`--show-replacement-steps`): the engine emits
   * `delete-replaced, replace, create-replacement` for delete-before-replace and
   * `create-replacement, replace` (the delete comes after all creates) otherwise
   * (pkg/resource/deploy/step_generator.go). Absent when the digest shows only the logical step.
   */
  readonly replaceOrder?: ReplaceOrder;
}

export interface PreviewFacts {
  /** Logical steps in the digest's order, one per URN. */
  readonly steps: readonly EngineStep[];
  /** The stack as deployed before the preview: the old state of every step that has one. */
  readonly before: UntypedDeployment;
  /** Resources the preview deletes (their old state). */
  readonly deleted: readonly PreviewResourceV3[];
  /**
   * Whether the digest lists every resource: `pulumi preview --json` shows unchanged resources
   * only with `--show-sames`; without it the graph holds the changed resources alone.
   */
  readonly complete: boolean;
  /** Unchanged resources the engine counted (`changeSummary.same`) but the digest does not list. */
  readonly samesNotShown: number;
  /** Whether `--show-replacement-steps` was used (replace order known). */
  readonly replacementSteps: boolean;
  readonly changeSummary: Readonly<Partial<Record<StepOp, number>>>;
  readonly diagnostics: readonly { readonly severity: string; readonly message: string; readonly urn?: string }[];
}

export interface StackInput {
  readonly format: InputFormat;
  /** The file (or label) it came from. */
  readonly source: string;
  /** The stack graph: live resources only, dependencies first (document or step order). */
  readonly deployment: UntypedDeployment;
  /** Resource options from the resources' own fields (exports and previews carry them). */
  readonly options: ResourceOptionsByUrn;
  /** The stack the URNs name, when they agree on one. */
  readonly stack?: string;
  /** Said once per input (e.g. secrets read as unknown). */
  readonly notes: readonly string[];
  /** Only for a preview digest: what the engine itself decided. */
  readonly preview?: PreviewFacts;
}

export interface LoadOptions {
  /**
   * The command needs every resource of the stack (policy, cost, reach): a digest without its
   * unchanged resources is then an error that says how to get one, instead of a silently partial
   * answer. Diff and review read the engine's operations and need only the changes.
   * @default true
   */
  readonly requireComplete?: boolean;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const EXPECTED =
  "expected an offline plan or a `pulumi stack export` document ({\"version\": 3, \"deployment\": {…}}), " +
  "or a `pulumi preview --json` PreviewDigest ({\"steps\": […], \"changeSummary\": {…}})";

function keysOf(o: Record<string, unknown>): string {
  const keys = Object.keys(o);
  if (keys.length === 0) return "an empty object";
  const shown = keys.slice(0, 6).map((k) => JSON.stringify(k)).join(", ");
  return `an object with keys ${shown}${keys.length > 6 ? ", …" : ""}`;
}

/** What a document that is none of the three formats looks like, in words. */
function describeUnknown(raw: unknown): string {
  if (Array.isArray(raw)) {
    const first = raw[0];
    if (isRecord(first) && ("sequence" in first || "timestamp" in first))
      return "a list of engine events (`--event-log`): use `pulumi preview --json` instead";
    return `a JSON array of ${raw.length} item(s)`;
  }
  if (!isRecord(raw)) return raw === null ? "null" : `a JSON ${typeof raw}`;
  if ("checkpoint" in raw)
    return "a Pulumi checkpoint (a backend's state file): run `pulumi stack export` to get the deployment";
  if (Array.isArray(raw.resources))
    return `a bare deployment object with no "version" (version must be 3): wrap it as {"version": 3, "deployment": …}, as \`pulumi stack export\` writes it`;
  return keysOf(raw);
}

/** Counts secrets as the note reports them; replaces a preview's "[secret]" strings by ciphertext-only secrets. */
interface SecretTally {
  values: number;
  resources: Set<string>;
}

/**
 * A preview writes every secret as the string "[secret]" (`MassageSecrets`); an export without
 * `--show-secrets` writes `{sig, ciphertext}`. Neither can be read offline: both become a secret
 * with only ciphertext, which the policy and cost readers already treat as a secret whose value is
 * unknown (cli/policy/properties.ts, cli/cost/graph.ts), so a policy still sees "this is secret".
 */
function blindSecrets(value: PropertyValue, urn: string, tally: SecretTally, preview: boolean): PropertyValue {
  if (preview && value === PREVIEW_SECRET) {
    tally.values++;
    tally.resources.add(urn);
    return { [SIG_KEY]: SECRET_SIG, ciphertext: PREVIEW_SECRET };
  }
  if (isSecretValue(value)) {
    if (typeof value.plaintext !== "string") {
      tally.values++;
      tally.resources.add(urn);
    }
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => blindSecrets(v, urn, tally, preview));
  if (value !== null && typeof value === "object") {
    const out: PropertyMap = {};
    for (const [k, v] of Object.entries(value as PropertyMap)) out[k] = blindSecrets(v, urn, tally, preview);
    return out;
  }
  return value;
}

function blindResource(r: PreviewResourceV3, tally: SecretTally, preview: boolean): PreviewResourceV3 {
  const map = (m: PropertyMap | undefined) =>
    m === undefined ? undefined : (blindSecrets(m, r.urn, tally, preview) as PropertyMap);
  return {
    ...r,
    ...(r.inputs ? { inputs: map(r.inputs) } : {}),
    ...(r.outputs ? { outputs: map(r.outputs) } : {}),
  };
}

function secretNote(tally: SecretTally, format: InputFormat): string[] {
  if (tally.values === 0) return [];
  const how =
    format === "preview-digest"
      ? "`pulumi preview --json` writes every secret as \"[secret]\""
      : "the export holds only their ciphertext (exported without `--show-secrets`)";
  return [
    `${tally.values} secret value(s) in ${tally.resources.size} resource(s) are treated as unknown: ${how}.`,
  ];
}

/** Resource options the export/preview keeps on the resource (ResourceV3 fields). */
function optionsOf(resources: readonly PreviewResourceV3[]): ResourceOptionsByUrn {
  const out: ResourceOptionsByUrn = {};
  for (const r of resources) {
    const o: ResourceOptions = {
      ...(r.ignoreChanges && r.ignoreChanges.length > 0 ? { ignoreChanges: [...r.ignoreChanges] } : {}),
      ...(r.replaceOnChanges && r.replaceOnChanges.length > 0 ? { replaceOnChanges: [...r.replaceOnChanges] } : {}),
      ...(r.retainOnDelete ? { retainOnDelete: true } : {}),
      ...(r.deletedWith ? { deletedWith: r.deletedWith } : {}),
    };
    if (Object.keys(o).length > 0) out[r.urn] = o;
  }
  return out;
}

function stackOf(resources: readonly { readonly urn: string }[]): string | undefined {
  const stacks = new Set(resources.map((r) => r.urn.slice("urn:pulumi:".length).split("::")[0]));
  return stacks.size === 1 ? [...stacks][0] : undefined;
}

function emptyManifest(): UntypedDeployment["deployment"]["manifest"] {
  return { time: FIXED_MANIFEST_TIME, magic: "", version: "" };
}

// ---- deployments (offline plan, stack export) ------------------------------------------------------

function parseDeploymentInput(raw: Record<string, unknown>, source: string): StackInput {
  const version = raw.version;
  if (version !== 3 && version !== 4) {
    const found =
      typeof version === "number" && version < 3
        ? `a version ${version} deployment, written by an old Pulumi CLI: re-export it with a current one (\`pulumi stack export\` writes version 3)`
        : version === undefined
          ? `a deployment with no "version" (version must be 3)`
          : `a deployment of version ${JSON.stringify(version)} (version must be 3, or 4 with "features")`;
    throw new InputError(`${source} is not a plan this tool can read: ${EXPECTED}; found ${found}.`);
  }
  // Per-resource checks (urn, type, maps), all problems at once, messages of the policy reader.
  // (Version 4 holds the same ResourceV3 resources; the policy reader only knows 3.)
  const doc = parseDeployment({ ...raw, version: 3 }, source);
  const manifestVersion = (doc.deployment.manifest as { version?: unknown } | undefined)?.version;
  const offline = typeof manifestVersion === "string" && manifestVersion.endsWith(OFFLINE_VERSION_SUFFIX);
  const format: InputFormat = offline ? "offline-plan" : "stack-export";
  const tally: SecretTally = { values: 0, resources: new Set() };
  const all = (doc.deployment.resources ?? []) as readonly PreviewResourceV3[];
  // Offline plans hold digests of their own secrets (cli/plan/deployment.ts toStateValue): known
  // to be secrets, never "exported without --show-secrets", so not counted.
  const live = all
    .filter((r) => r.delete !== true)
    .map((r) => (offline ? r : blindResource(r, tally, false)));
  const notes = [...(offline ? [] : secretNote(tally, format))];
  const pendingDeletes = all.length - live.length;
  if (pendingDeletes > 0)
    notes.push(`${pendingDeletes} resource(s) pending deletion in the export are left out of the stack.`);
  if (version === 4) {
    const features = Array.isArray(raw.features) ? raw.features.join(", ") : "none named";
    notes.push(`A version 4 deployment (features: ${features}): read as version 3 resources.`);
  }
  const deployment = raw.deployment as Record<string, unknown>;
  const stack = stackOf(live);
  return {
    format,
    source,
    deployment: {
      version: 3,
      deployment: {
        manifest: (deployment.manifest as UntypedDeployment["deployment"]["manifest"]) ?? emptyManifest(),
        ...(live.length > 0 ? { resources: live } : {}),
      },
    },
    options: offline ? {} : optionsOf(live),
    notes,
    ...(stack ? { stack } : {}),
  };
}

// ---- preview digest ----------------------------------------------------------------------------

const KNOWN_OPS: ReadonlySet<string> = new Set(STEP_OPS);

/** Ops whose step carries the resource's state after the preview. */
const NEEDS_NEW_STATE: ReadonlySet<StepOp> = new Set<StepOp>(["create", "update", "replace", "same", "import"]);

function validateSteps(steps: readonly unknown[], source: string): PreviewStep[] {
  const problems: string[] = [];
  steps.forEach((s, i) => {
    const where = `steps[${i}]`;
    if (!isRecord(s)) {
      problems.push(`${where} must be an object`);
      return;
    }
    if (typeof s.op !== "string" || !KNOWN_OPS.has(s.op)) {
      problems.push(`${where}.op must be one of ${STEP_OPS.join(", ")}, got ${JSON.stringify(s.op)}`);
      return;
    }
    if (typeof s.urn !== "string" || !s.urn.startsWith("urn:pulumi:")) {
      problems.push(`${where}.urn must be a Pulumi URN, got ${JSON.stringify(s.urn)}`);
      return;
    }
    for (const key of ["oldState", "newState"] as const) {
      const st = s[key];
      if (st === undefined || st === null) continue;
      if (!isRecord(st) || typeof st.type !== "string" || st.type === "")
        problems.push(`${where}.${key} must be a resource state with a type`);
    }
    if (NEEDS_NEW_STATE.has(s.op as StepOp) && !isRecord(s.newState))
      problems.push(`${where} (${s.op} ${s.urn}) has no newState`);
    if ((s.op === "delete" || s.op === "delete-replaced") && !isRecord(s.oldState))
      problems.push(`${where} (${s.op} ${s.urn}) has no oldState`);
    if (s.detailedDiff !== undefined && s.detailedDiff !== null && !isRecord(s.detailedDiff))
      problems.push(`${where}.detailedDiff must be an object or null`);
  });
  if (problems.length > 0) throw new InputError(`Invalid PreviewDigest ${source}:\n - ${problems.join("\n - ")}`);
  return steps as PreviewStep[];
}

/** Folds the physical replacement steps into their logical `replace` and reads the order off them. */
function logicalSteps(steps: readonly PreviewStep[]): { steps: EngineStep[]; replacementSteps: boolean } {
  const byUrn = new Map<string, { first: PreviewStep; ops: StepOp[]; main?: PreviewStep }>();
  const order: string[] = [];
  let replacementSteps = false;
  for (const s of steps) {
    if (s.op === "create-replacement" || s.op === "delete-replaced") replacementSteps = true;
    let e = byUrn.get(s.urn);
    if (!e) {
      e = { first: s, ops: [] };
      byUrn.set(s.urn, e);
      order.push(s.urn);
    }
    e.ops.push(s.op);
    // The logical step wins; a lone physical one stands for itself.
    if (s.op !== "create-replacement" && s.op !== "delete-replaced" && !e.main) e.main = s;
  }
  const out: EngineStep[] = [];
  for (const urn of order) {
    const e = byUrn.get(urn)!;
    const oldOf = steps.find((s) => s.urn === urn && s.oldState)?.oldState;
    const newOf = steps.find((s) => s.urn === urn && s.newState && s.op !== "delete-replaced")?.newState;
    const main = e.main ?? e.first;
    const op: StepOp = e.main ? main.op : e.ops.includes("create-replacement") ? "replace" : main.op;
    let replaceOrder: ReplaceOrder | undefined;
    if (op === "replace") {
      const del = e.ops.indexOf("delete-replaced");
      const create = e.ops.indexOf("create-replacement");
      if (del >= 0 && (create < 0 || del < create)) replaceOrder = "delete-before-replace";
      else if (create >= 0) replaceOrder = "create-before-replace";
    }
    const withReasons = steps.find((s) => s.urn === urn && (s.replaceReasons?.length ?? 0) > 0) ?? main;
    out.push({
      op,
      urn,
      type: (newOf ?? oldOf)?.type ?? "",
      ...(oldOf ? { old: oldOf } : {}),
      ...(newOf && !REMOVING_OPS.has(op) ? { new: newOf } : {}),
      diffReasons: [...(main.diffReasons ?? withReasons.diffReasons ?? [])],
      replaceReasons: [...(withReasons.replaceReasons ?? [])],
      detailedDiff: main.detailedDiff ?? withReasons.detailedDiff ?? null,
      ...(replaceOrder ? { replaceOrder } : {}),
    });
  }
  return { steps: out, replacementSteps };
}

function parseDigest(raw: Record<string, unknown>, source: string, opts: LoadOptions): StackInput {
  if (raw.steps !== undefined && !Array.isArray(raw.steps))
    throw new InputError(`${source} is not a plan this tool can read: ${EXPECTED}; found a PreviewDigest whose "steps" is not a list.`);
  const rawSteps = (raw.steps ?? []) as unknown[];
  if (rawSteps.length === 0) {
    const summary = isRecord(raw.changeSummary) ? ` (changeSummary ${JSON.stringify(raw.changeSummary)})` : "";
    const errors = Array.isArray(raw.diagnostics)
      ? (raw.diagnostics as unknown[]).filter((d) => isRecord(d) && d.severity === "error").length
      : 0;
    throw new InputError(
      `${source} is not a plan this tool can read: ${EXPECTED}; found a PreviewDigest with 0 steps${summary}` +
        (errors > 0 ? ` and ${errors} error diagnostic(s): the preview failed` : ": the preview failed or was cancelled") +
        ". Even an unchanged stack lists its root Stack step.",
    );
  }
  const steps = validateSteps(rawSteps, source);
  const tally: SecretTally = { values: 0, resources: new Set() };
  const blinded = steps.map((s) => ({
    ...s,
    ...(s.oldState ? { oldState: blindResource(s.oldState, tally, true) } : {}),
    ...(s.newState ? { newState: blindResource(s.newState, tally, true) } : {}),
  }));
  const { steps: logical, replacementSteps } = logicalSteps(blinded);
  const live = logical.filter((s) => s.new && !REMOVING_OPS.has(s.op)).map((s) => s.new!);
  const deleted = logical.filter((s) => REMOVING_OPS.has(s.op) && s.old).map((s) => s.old!);
  const before = logical.filter((s) => s.old && s.op !== "create" && s.op !== "import").map((s) => s.old!);
  const changeSummary = (isRecord(raw.changeSummary) ? raw.changeSummary : {}) as PreviewFacts["changeSummary"];
  const samesShown = logical.filter((s) => s.op === "same").length;
  const samesNotShown = Math.max(0, (changeSummary.same ?? 0) - samesShown);
  const complete = samesNotShown === 0;
  const diagnostics = (Array.isArray(raw.diagnostics) ? raw.diagnostics : [])
    .filter(isRecord)
    .map((d) => ({
      severity: typeof d.severity === "string" ? d.severity : "info",
      message: typeof d.message === "string" ? d.message : "",
      ...(typeof d.urn === "string" && d.urn !== "" ? { urn: d.urn } : {}),
    }));
  if (!complete && opts.requireComplete !== false) {
    throw new InputError(
      `${source} is a PreviewDigest that lists ${logical.length} of ${logical.length + samesNotShown} resources ` +
        `(changeSummary counts ${changeSummary.same} unchanged, ${samesShown} shown): this command needs every resource. ` +
        "Run `pulumi preview --json --show-sames` (add --show-replacement-steps for the replace order).",
    );
  }
  const notes = secretNote(tally, "preview-digest");
  if (raw.maybeCorrupt === true) notes.push("The preview reports that some resources may be corrupt (maybeCorrupt).");
  // Step order is the engine's execution order: dependencies first, as the readers expect.
  const graph = live;
  const stack = stackOf(logical);
  return {
    format: "preview-digest",
    source,
    deployment: { version: 3, deployment: { manifest: emptyManifest(), ...(graph.length > 0 ? { resources: graph } : {}) } },
    options: optionsOf(live),
    notes,
    ...(stack ? { stack } : {}),
    preview: {
      steps: logical,
      before: {
        version: 3,
        deployment: { manifest: emptyManifest(), ...(before.length > 0 ? { resources: before } : {}) },
      },
      deleted,
      complete,
      samesNotShown,
      replacementSteps,
      changeSummary,
      diagnostics,
    },
  };
}

// ---- entry points -------------------------------------------------------------------------------

/** Which of the three formats a parsed JSON document is, by shape; undefined: none of them. */
export function detectFormat(raw: unknown): InputFormat | undefined {
  if (!isRecord(raw)) return undefined;
  if ("steps" in raw || ("changeSummary" in raw && !("deployment" in raw))) return "preview-digest";
  if ("deployment" in raw && isRecord(raw.deployment)) {
    const v = (raw.deployment.manifest as { version?: unknown } | undefined)?.version;
    return typeof v === "string" && v.endsWith(OFFLINE_VERSION_SUFFIX) ? "offline-plan" : "stack-export";
  }
  return undefined;
}

/** Any of the three formats, already parsed from JSON, to a stack graph. */
export function parseStackInput(raw: unknown, source: string, opts: LoadOptions = {}): StackInput {
  const format = detectFormat(raw);
  if (format === "preview-digest") return parseDigest(raw as Record<string, unknown>, source, opts);
  if (format !== undefined || (isRecord(raw) && "version" in raw && "deployment" in raw))
    return parseDeploymentInput(raw as Record<string, unknown>, source);
  throw new InputError(`${source} is not a plan this tool can read: ${EXPECTED}; found ${describeUnknown(raw)}.`);
}

/**
 * Reads a plan file of any of the three formats. The one function every command (and the reach
 * command) calls for `--plan FILE`; errors are InputError (exit 2) naming the file.
 */
export function readStackInput(file: string, opts: LoadOptions = {}): StackInput {
  if (!fs.existsSync(file)) throw new InputError(`File not found: ${file}`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new InputError(`${file} is not JSON: ${(e as Error).message}`);
  }
  return parseStackInput(raw, file, opts);
}
