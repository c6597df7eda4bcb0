import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { compareCosts, estimateStack } from "../cost";
import type { CostDiff } from "../cost/types";
import { diffDeployments } from "../diff/engine";
import { withRevision } from "../diff/git";
import { loadReplaceTable } from "../diff/table";
import { REPO_ROOT, stackConfigPath } from "../evaluate/stack-config";
import { emptyDeployment, ResourceOptionsByUrn, UntypedDeployment } from "../plan/deployment";
import { isStackPlan, PlanFailure, planStacksSettled, StackPlan } from "../plan/planner";
import { PolicyPackSession } from "../policy/analyzer";
import { checkStackPlan, POLICY_PACK_DIR, policyConfigPath } from "../policy/check";
import { parsePolicyPackConfig } from "../policy/config";
import { parseDeployment } from "../policy/deployment";
import { diffPreview, FORMAT_LABEL, readStackInput, StackInput } from "../input";
import { toJson } from "../policy/report";
import type { CheckSummary, ReviewInputs, StackReviewInput, StepError } from "./types";

/**
 * The I/O half of `platform review`: plans (or reads) base and head for every stack, then runs the
 * diff, policy and cost libraries over them and returns `ReviewInputs` for the pure `buildReview`.
 *
 * Cost of a run on 2 cores: plans dominate (a few seconds per stack per revision, each in its own
 * process). Head and base are planned at the same time with one worker each, so two processes
 * share the two cores; an upstream plan (shared) is made once per revision and answers every
 * StackReference to it. When nothing the plans depend on differs between the base revision and
 * the working tree (see PLAN_INPUTS), the head plans are reused as base plans.
 */

/** Where the base plans come from. */
export type BaseSource =
  /** Nothing to compare with: every resource is a create (first deploy). */
  | { readonly kind: "none" }
  /** Plan every stack at a git revision (a temporary copy of the tree, see cli/diff/git.ts). */
  | { readonly kind: "git"; readonly ref: string }
  /** Deployment documents `<dir>/<stack>.json` (a missing file is a stack that does not exist yet). */
  | { readonly kind: "dir"; readonly dir: string };

/** Where the head plans come from. */
export type HeadSource = { readonly kind: "plan" } | { readonly kind: "dir"; readonly dir: string };

export interface CollectOptions {
  readonly stacks: readonly string[];
  readonly base: BaseSource;
  readonly head: HeadSource;
  /** @default the repository this tool lives in */
  readonly root?: string;
  /** Progress lines for stderr. */
  readonly log?: (line: string) => void;
  /**
   * A directory of `pulumi preview --json` digests `<dir>/<stack>.json` (any plan format is read):
   * a stack with a file there takes its head (and its diff) from it; the others are planned.
   */
  readonly previews?: string;
}

/**
 * Paths whose content decides what a plan contains: the program, its config, its dependencies,
 * and the offline planner itself. When none differs between a revision and the working tree, the
 * plans are the same (they are deterministic) and need not be made twice.
 */
export const PLAN_INPUTS = [
  "Pulumi.yaml",
  "infra",
  "environments",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "cli/evaluate",
  "cli/plan",
] as const;

interface Planned {
  readonly deployment: UntypedDeployment;
  readonly options?: ResourceOptionsByUrn;
  /** Read from a file (cli/input): its format, notes, and for a preview digest the engine's steps. */
  readonly input?: StackInput;
}
type PlanOutcome = Planned | { readonly failure: string } | { readonly absent: true };

function fromPlan(r: StackPlan | PlanFailure | undefined): PlanOutcome {
  if (!r) return { absent: true };
  if (isStackPlan(r)) return { deployment: r.deployment, options: r.options };
  return { failure: `${r.message}${r.detail ? `\n${r.detail}` : ""}` };
}

function readPlanFile(file: string): PlanOutcome {
  if (!fs.existsSync(file)) return { absent: true };
  // Any of the three formats; validates the shape and names the file in the error. A digest
  // without its unchanged resources is still a complete diff: the stack notes what it lacks.
  const input = readStackInput(file, { requireComplete: false });
  return {
    deployment: input.deployment,
    input,
    ...(input.format === "offline-plan" ? {} : { options: input.options }),
  };
}

/** True when no PLAN_INPUTS path differs between `ref` and the working tree (untracked files included). */
export function planInputsUnchanged(root: string, ref: string): boolean {
  try {
    execFileSync("git", ["-C", root, "diff", "--quiet", ref, "--", ...PLAN_INPUTS], {
      stdio: "ignore",
    });
    const untracked = execFileSync(
      "git",
      ["-C", root, "ls-files", "--others", "--exclude-standard", "--", ...PLAN_INPUTS],
      {
        encoding: "utf8",
      },
    );
    return untracked.trim() === "";
  } catch {
    return false;
  }
}

async function planHere(
  stacks: readonly string[],
  root: string,
  concurrency: number,
): Promise<Map<string, PlanOutcome>> {
  const present = stacks.filter((s) => fs.existsSync(stackConfigPath(s, root)));
  const settled =
    present.length > 0 ? await planStacksSettled(present, { root, concurrency }) : new Map();
  return new Map(stacks.map((s) => [s, fromPlan(settled.get(s))]));
}

async function plans(
  opts: CollectOptions,
  root: string,
): Promise<{ head: Map<string, PlanOutcome>; base: Map<string, PlanOutcome> }> {
  const { log } = opts;
  const fromDir = (dir: string) =>
    new Map(stacks.map((s) => [s, readPlanFile(path.join(dir, `${s}.json`))]));
  // Stacks with a preview take their head from it and need no plan at either revision.
  const previewed = new Map<string, PlanOutcome>();
  if (opts.previews !== undefined)
    for (const s of opts.stacks) {
      const file = path.join(opts.previews, `${s}.json`);
      if (fs.existsSync(file)) previewed.set(s, readPlanFile(file));
    }
  const stacks = opts.stacks.filter((s) => !previewed.has(s));
  const withPreviews = (head: Map<string, PlanOutcome>) => new Map([...head, ...previewed]);
  if (opts.head.kind === "dir") {
    const head = fromDir(opts.head.dir);
    const base = opts.base.kind === "dir" ? fromDir(opts.base.dir) : new Map<string, PlanOutcome>();
    if (opts.base.kind === "git")
      throw new Error(
        "--base <ref> plans the working tree; it cannot be combined with head plans from a directory",
      );
    return { head: withPreviews(head), base };
  }
  if (opts.base.kind === "git") {
    const ref = opts.base.ref;
    if (planInputsUnchanged(root, ref)) {
      log?.(
        `review: nothing the plans depend on differs from ${ref}; planning once and reusing the plans as base`,
      );
      const head = await planHere(stacks, root, 2);
      return { head: withPreviews(head), base: head };
    }
    log?.(`review: planning ${stacks.join(", ")} at ${ref} and in the working tree`);
    const [head, base] = await Promise.all([
      planHere(stacks, root, 1),
      withRevision(root, ref, (dir) => planHere(stacks, dir, 1)),
    ]);
    return { head: withPreviews(head), base };
  }
  const head = await planHere(stacks, root, 2);
  return { head: withPreviews(head), base: opts.base.kind === "dir" ? fromDir(opts.base.dir) : new Map() };
}

// ---- policy -----------------------------------------------------------------------------------

interface PolicyRunner {
  check(stack: string, planned: Planned): Promise<CheckSummary>;
  close(): Promise<void>;
}

/**
 * One policy pack process for the whole review (starting it costs about a second), configured
 * per stack with policies/config/<stack>.json as `platform check` does. Base and head are both
 * judged by the head's pack and config, so "new" means the infrastructure change introduced it.
 */
async function startPolicy(root: string): Promise<PolicyRunner> {
  const session = await PolicyPackSession.start({ packDir: POLICY_PACK_DIR });
  return {
    async check(stack, planned) {
      const file = policyConfigPath(stack);
      if (!fs.existsSync(file))
        throw new Error(
          `No policy config for stack "${stack}": expected ${path.relative(root, file)}`,
        );
      const policyConfig = parsePolicyPackConfig(
        fs.readFileSync(file, "utf8"),
        path.relative(root, file),
      );
      const doc = parseDeployment(planned.deployment, `plan of ${stack}`);
      const result = await checkStackPlan(doc, {
        stack,
        policyConfig,
        session,
        root,
        ...(planned.options ? { options: planned.options } : {}),
      });
      return toJson(result, stack);
    },
    close: () => session.close(),
  };
}

function sameDocument(a: UntypedDeployment, b: UntypedDeployment): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// ---- assembly ---------------------------------------------------------------------------------

function baseLabelOf(base: BaseSource): string {
  return base.kind === "git"
    ? base.ref
    : base.kind === "dir"
      ? `plans in ${base.dir}`
      : "nothing (every resource is new)";
}

export async function collectReview(opts: CollectOptions): Promise<ReviewInputs> {
  const root = opts.root ?? REPO_ROOT;
  const started = Date.now();
  // The pack takes seconds to load (it compiles the policies); start it while the plans run.
  const policyStarting: Promise<PolicyRunner | StepError> = startPolicy(root).catch(
    (err: unknown) => ({
      error: `the policy pack did not start: ${message(err)}`,
    }),
  );
  let planned: Awaited<ReturnType<typeof plans>>;
  try {
    planned = await plans(opts, root);
  } catch (err) {
    const p = await policyStarting;
    if (!("error" in p)) await p.close();
    throw err;
  }
  const { head, base } = planned;
  opts.log?.(`review: plans ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const baseLabel = baseLabelOf(opts.base);
  const headLabel = opts.head.kind === "dir" ? `plans in ${opts.head.dir}` : "working tree";
  const table = loadReplaceTable();

  const policy = await policyStarting;
  const out: StackReviewInput[] = [];
  try {
    for (const stack of opts.stacks) {
      const h = head.get(stack)!;
      if ("absent" in h) {
        out.push({
          stack,
          failure: `No plan for stack "${stack}" (no environments/Pulumi.${stack}.yaml, or no ${stack}.json).`,
        });
        continue;
      }
      if ("failure" in h) {
        out.push({ stack, failure: h.failure });
        continue;
      }
      const notes: string[] = [...(h.input?.notes ?? [])];
      const preview = h.input?.preview;
      const b = preview ? undefined : base.get(stack);
      let baseDoc: UntypedDeployment | undefined;
      let basePlanned: Planned | undefined;
      if (preview) {
        // The digest already is the diff against the deployed state; policy, cost and parity
        // compare with that state (the old state of every step). No old state: a new stack.
        if ((preview.before.deployment.resources ?? []).length > 0) {
          baseDoc = preview.before;
          basePlanned = { deployment: preview.before };
        }
        if (!preview.complete)
          notes.push(
            `The preview of ${stack} lists only the resources that change (${preview.samesNotShown} unchanged not shown; run \`pulumi preview --json --show-sames\`): policy and cost cover those alone.`,
          );
      } else if (b && "deployment" in b) {
        baseDoc = b.deployment;
        basePlanned = b;
      } else if (b && "failure" in b) {
        notes.push(
          `The base revision of ${stack} failed to plan, so it is compared with an empty stack: ${b.failure.split("\n")[0]}`,
        );
      } else if (opts.base.kind !== "none") {
        notes.push(`${stack} does not exist at ${baseLabel}: every resource is new.`);
      }
      const diff = preview
        ? diffPreview(preview, { table, stack, baseLabel: "deployed state", headLabel: "pulumi preview" })
        : diffDeployments({
            base: baseDoc ?? emptyDeployment(),
            head: h.deployment,
            table,
            baseLabel,
            headLabel,
            stack,
            ...(h.options ? { headOptions: h.options } : {}),
          });

      let policyResult: StackReviewInput["policy"];
      if ("error" in policy) policyResult = policy;
      else {
        try {
          const headCheck = await policy.check(stack, h);
          // Same document, same verdict: most stacks of a pull request do not change.
          const baseCheck = !basePlanned
            ? undefined
            : sameDocument(basePlanned.deployment, h.deployment)
              ? headCheck
              : await policy.check(stack, basePlanned);
          policyResult = { head: headCheck, ...(baseCheck ? { base: baseCheck } : {}) };
        } catch (err) {
          policyResult = { error: message(err) };
        }
      }

      let cost: CostDiff | StepError;
      try {
        const { report: headCost, region } = estimateStack(h.deployment, stack, { root });
        // An empty base names no region; price it (at $0) in the head's.
        const baseCost = estimateStack(baseDoc ?? emptyDeployment(), stack, {
          root,
          region: region.region,
        }).report;
        cost = compareCosts(baseCost, headCost);
      } catch (err) {
        cost = { error: message(err) };
      }
      out.push({
        stack,
        source: FORMAT_LABEL[h.input?.format ?? "offline-plan"],
        diff,
        policy: policyResult,
        cost,
        head: h.deployment,
        ...(baseDoc ? { base: baseDoc } : {}),
        ...(notes.length > 0 ? { notes } : {}),
      });
    }
  } finally {
    if (!("error" in policy)) await policy.close();
  }
  opts.log?.(
    `review: diff, policy and cost done in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return {
    stacks: out,
    baseLabel,
    headLabel,
    ...(opts.base.kind === "git" ? { baseRef: opts.base.ref } : {}),
  };
}
