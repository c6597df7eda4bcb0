import type { ResourceOptionsByUrn, UntypedDeployment } from "./deployment";

/**
 * Messages between `planStack` (parent) and the plan worker (cli/plan/worker.js, one fresh process
 * per stack). Plain JSON: they cross the IPC channel.
 */
export interface WorkerRequest {
  readonly stack: string;
  readonly project: string;
  readonly organization: string;
  /** Folder holding Pulumi.yaml (the working tree, or a git worktree for `diff --base`). */
  readonly root: string;
  /** Working directory and entry point, as the engine derives them from Pulumi.yaml `main`. */
  readonly pwd: string;
  readonly main: string;
  /** Engine-shaped config, also passed as PULUMI_CONFIG (`aws:region` gives the mocks' region). */
  readonly config: Readonly<Record<string, string>>;
  /** Upstream stack outputs keyed by StackReference name. */
  readonly stackOutputs: Readonly<Record<string, Record<string, unknown>>>;
}

export interface WorkerSuccess {
  readonly ok: true;
  readonly deployment: UntypedDeployment;
  readonly options: ResourceOptionsByUrn;
  /** Stack outputs as plain values: what a StackReference to this stack reads. */
  readonly outputs: Record<string, unknown>;
  /** URNs of multi-language components whose children did not run (e.g. awsx). */
  readonly remoteUrns: string[];
  readonly stats: WorkerStats;
}

export interface WorkerFailure {
  readonly ok: false;
  /** The error's message as the program threw it (ConfigError: the aggregated list). */
  readonly message: string;
  readonly name: string;
  /** Stack trace, kept for unexpected errors (TypeError & co.), empty for config errors. */
  readonly stack?: string;
  /** StackReference names the program read that no upstream plan answered. */
  readonly missingStackReferences: string[];
  readonly stats: WorkerStats;
}

export type WorkerResult = WorkerSuccess | WorkerFailure;

export interface WorkerStats {
  /** From process start to the program's first line (Node, SDK, ts-node). */
  readonly startupMs: number;
  /** Program run under the mocks, until every registration was answered. */
  readonly runMs: number;
  readonly registrations: number;
  /** Peak resident set size of the worker, bytes (getrusage). */
  readonly maxRssBytes: number;
  /** CPU time (user + system) of the worker, ms: steadier than wall time on a busy machine. */
  readonly cpuMs: number;
}
