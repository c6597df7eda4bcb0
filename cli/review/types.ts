import type { CostDiff } from "../cost/types";
import type { DiffResult } from "../diff/engine";
import type { UntypedDeployment } from "../plan/deployment";
import type { JsonReport } from "../policy/report";

/**
 * What `buildReview` reads and returns. Everything here is plain data: the review is assembled
 * from results the plan, diff, policy and cost libraries already produced, so it can be built from
 * fixtures without git, a policy pack or a Pulumi runtime.
 */

/** The `platform check --format json` document (cli/policy/report.ts `toJson`). */
export type CheckSummary = JsonReport;

/** One policy violation of a check: `{policy, level, urn, message}` (urn null for stack policies). */
export type ReviewViolation = JsonReport["violations"][number];

/** A step that could not produce its result; the report says so instead of showing zeros. */
export interface StepError {
  readonly error: string;
}

export interface StackReviewInput {
  readonly stack: string;
  /**
   * Where the head came from: "offline plan", "pulumi preview" (the engine's own diff against the
   * deployed state) or "stack export" (cli/input FORMAT_LABEL). The report says it per stack.
   */
  readonly source?: string;
  /**
   * Set when the head revision of the stack could not be planned: the report shows the message
   * and nothing else for the stack, and the review exits 2.
   */
  readonly failure?: string;
  /** Base → head, from cli/diff. Absent only with `failure`. */
  readonly diff?: DiffResult;
  /**
   * The policy pack run over the head plan, and over the base plan when there is one (to tell
   * violations this change introduces from ones it inherits).
   */
  readonly policy?: { readonly head: CheckSummary; readonly base?: CheckSummary } | StepError;
  /** Cost at base → head, from cli/cost `compareCosts`. */
  readonly cost?: CostDiff | StepError;
  /** Deployment documents, for parity (base and head) and the diagram (head). */
  readonly base?: UntypedDeployment;
  readonly head?: UntypedDeployment;
  /** What the collector had to assume for this stack ("new at base", "base failed to plan"). */
  readonly notes?: readonly string[];
}

export interface ReviewInputs {
  /** In the order the report shows them (STACK_ORDER). */
  readonly stacks: readonly StackReviewInput[];
  /** What head was compared with: `origin/main`, `plans in base/`, or `nothing (first deploy)`. */
  readonly baseLabel: string;
  readonly headLabel: string;
  /** The git ref compared with, when there is one: the report's "full detail" commands name it. */
  readonly baseRef?: string;
  /** Character budget of the whole document. @default REVIEW_CHAR_LIMIT */
  readonly limit?: number;
}

/** One thing the size budget made the report leave out. */
export interface TrimNote {
  /** The stack whose section was shortened; absent for document-wide cuts (the diagram). */
  readonly stack?: string;
  readonly what: string;
}

export interface ReviewResult {
  readonly markdown: string;
  readonly trimmed: readonly TrimNote[];
  /** 0 clean; 1 a mandatory policy violation in some stack; 2 a stack or a step failed to evaluate. */
  readonly exitCode: 0 | 1 | 2;
}

export function isStepError<T extends object>(v: T | StepError | undefined): v is StepError {
  return v !== undefined && "error" in v;
}
