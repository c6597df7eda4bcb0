import { ChildProcess, fork } from "child_process";
import * as path from "path";
import { compareStacks, DIY_ORGANIZATION, qualifyStackName, STACK_ORDER } from "../../infra/stacks";
import { environmentForPulumiChild, languageHostEnv, ProjectInfo, pwdMain, readProject } from "../evaluate/project";
import { listStackFiles, readStackFile, REPO_ROOT, toEngineConfig } from "../evaluate/stack-config";
import { ResourceOptionsByUrn, UntypedDeployment } from "./deployment";
import { WorkerFailure, WorkerRequest, WorkerResult, WorkerStats } from "./protocol";

/**
 * `planStack` / `planStacks`: evaluate stacks offline, each in a fresh process that loads the
 * program through the Pulumi CLI's own Node.js entry (see worker.js), and return Pulumi deployment
 * documents. Upstream stacks are planned first and their outputs answer the StackReferences of
 * the stacks that read them. This is the library `platform plan|diff|check|cost|review` build on.
 */

/**
 * What `pulumi.getOrganization()` returns in a plan unless `organization` says otherwise: a
 * self-managed backend's fixed `organization` (`platform plan --org` mimics Pulumi Cloud's).
 */
export const DEFAULT_ORGANIZATION = DIY_ORGANIZATION;
/** A plan that takes longer than this has hung (a promise that never settles). */
export const DEFAULT_TIMEOUT_MS = 300_000;

export interface StackPlan {
  readonly stack: string;
  readonly deployment: UntypedDeployment;
  /** Resource options the deployment format has no field for (ignoreChanges, replaceOnChanges, …). */
  readonly options: ResourceOptionsByUrn;
  /** Stack outputs as plain values. */
  readonly outputs: Record<string, unknown>;
  /** Multi-language components (awsx) registered as one resource, children not expanded. */
  readonly remoteUrns: readonly string[];
  /** Stacks whose outputs answered this stack's StackReferences. */
  readonly upstream: readonly string[];
  /** What the program printed (warnings, logs), one line each. */
  readonly log: readonly string[];
  readonly stats: WorkerStats & { readonly wallMs: number };
}

export interface PlanFailure {
  readonly stack: string;
  /** The program's error message (a ConfigError lists every problem). */
  readonly message: string;
  /** Stack trace for unexpected errors; absent for config errors. */
  readonly detail?: string;
  readonly log: readonly string[];
}

export class PlanError extends Error {
  constructor(readonly failures: readonly PlanFailure[]) {
    super(failures.map((f) => `${f.stack}: ${f.message}`).join("\n"));
    this.name = "PlanError";
  }
}

export type PlanEvent =
  | { readonly kind: "start"; readonly stack: string }
  | { readonly kind: "done"; readonly stack: string; readonly plan: StackPlan }
  | { readonly kind: "failed"; readonly stack: string; readonly failure: PlanFailure };

export interface PlanOptions {
  /** Folder holding Pulumi.yaml. @default the repository this tool lives in */
  readonly root?: string;
  /**
   * The organization the program sees (`pulumi.getOrganization()`), which also completes
   * `project/stack` references. @default "organization"
   */
  readonly organization?: string;
  /** Plans already made, by stack name (reused as upstream, not re-run). */
  readonly upstream?: Readonly<Record<string, StackPlan>>;
  /** How many workers run at once. @default 2 (this machine's cores) */
  readonly concurrency?: number;
  readonly timeoutMs?: number;
  readonly onEvent?: (event: PlanEvent) => void;
  /**
   * Config to use instead of `environments/Pulumi.<stack>.yaml` (raw `config:` map as in the
   * file). For generated stacks (the benchmark's scale run).
   */
  readonly configOverride?: Readonly<Record<string, Record<string, unknown>>>;
  /**
   * false: let ts-node type-check the program, as the Pulumi CLI does when
   * PULUMI_NODEJS_TRANSPILE_ONLY is unset (slow: ~20 s and ~900 MB per stack).
   * @default true (type checking is `tsc --noEmit` in `npm test`)
   */
  readonly transpileOnly?: boolean;
}

interface Ref {
  readonly name: string;
  readonly stack: string;
}

/**
 * StackReference names a stack's config mentions (`platform/shared`, or
 * `organization/platform/shared`) that point at another stack of this project. Config is where the program
 * takes upstream names from (see STYLE.md §6), so this predicts which plans must run first; a
 * reference the scan misses is still caught when the program reads it (see `planStacksSettled`).
 */
export function referencedStacks(
  config: Readonly<Record<string, string>>,
  project: string,
  known: readonly string[],
  self: string,
): Ref[] {
  const found = new Map<string, Ref>();
  const visit = (v: unknown): void => {
    if (typeof v === "string") {
      const ref = parseReference(v, project, known);
      if (ref && ref.stack !== self) found.set(ref.name, ref);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === "object") Object.values(v).forEach(visit);
  };
  for (const raw of Object.values(config)) {
    visit(raw);
    if (raw.startsWith("{") || raw.startsWith("[")) {
      try {
        visit(JSON.parse(raw));
      } catch {
        // A plain string that merely starts with a bracket.
      }
    }
  }
  return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** `org/project/stack` or `project/stack` naming a known stack of `project`. */
export function parseReference(name: string, project: string, known: readonly string[]): Ref | undefined {
  const parts = name.split("/");
  if (parts.length < 2 || parts.length > 3) return undefined;
  const stack = parts[parts.length - 1];
  const proj = parts[parts.length - 2];
  if (proj !== project || !known.includes(stack)) return undefined;
  return { name, stack };
}

function configOf(stack: string, root: string, opts: PlanOptions): Record<string, string> {
  const raw = opts.configOverride?.[stack] ?? readStackFile(stack, root).config;
  return toEngineConfig(raw);
}

/** Environment for the worker: the caller's, minus our own ts-node settings, plus the language host's. */
function workerEnv(
  project: ProjectInfo,
  stack: string,
  config: Record<string, string>,
  org: string,
  transpileOnly: boolean | undefined,
): NodeJS.ProcessEnv {
  const env = { ...environmentForPulumiChild(), ...languageHostEnv(project, stack, config, org) };
  // Same switch the CLI honours; type checking is `tsc --noEmit` in `npm test`.
  if (transpileOnly !== undefined) env.PULUMI_NODEJS_TRANSPILE_ONLY = String(transpileOnly);
  else if (env.PULUMI_NODEJS_TRANSPILE_ONLY === undefined) env.PULUMI_NODEJS_TRANSPILE_ONLY = "true";
  return env;
}

function runWorker(request: WorkerRequest, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ result: WorkerResult; log: string[]; wallMs: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = fork(path.join(__dirname, "worker.js"), [], {
        cwd: request.root,
        env,
        // A clean Node: no ts-node or mocha hooks inherited from this process. PLATFORM_PLAN_NODE_ARGS
        // passes flags for profiling or debugging (`--cpu-prof`, `--inspect-brk`).
        execArgv: (process.env.PLATFORM_PLAN_NODE_ARGS ?? "").split(" ").filter((a) => a !== ""),
        stdio: ["ignore", "pipe", "pipe", "ipc"],
        serialization: "advanced",
      });
    } catch (err) {
      reject(err);
      return;
    }
    const chunks: Buffer[] = [];
    child.stdout?.on("data", (b: Buffer) => chunks.push(b));
    child.stderr?.on("data", (b: Buffer) => chunks.push(b));
    let result: WorkerResult | undefined;
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("message", (m) => {
      result = m as WorkerResult;
    });
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const log = Buffer.concat(chunks)
        .toString("utf8")
        .split("\n")
        .filter((l) => l.trim() !== "");
      const wallMs = Date.now() - started;
      if (result) return resolve({ result, log, wallMs });
      const why = signal === "SIGKILL" ? `timed out after ${timeoutMs} ms` : `exited with code ${code}${signal ? ` (${signal})` : ""}`;
      const failure: WorkerFailure = {
        ok: false,
        message: `The plan worker for "${request.stack}" ${why} without a result.`,
        name: "Error",
        missingStackReferences: [],
        stats: { startupMs: 0, runMs: 0, registrations: 0, maxRssBytes: 0, cpuMs: 0 },
      };
      resolve({ result: failure, log, wallMs });
    });
    child.send(request);
  });
}

function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await task();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

/**
 * Plans `stacks` and every stack they reference, upstream first. Never throws for a stack's own
 * failure: each requested stack maps to its plan or its failure (a stack whose upstream failed
 * fails with a message naming it).
 */
export async function planStacksSettled(
  stacks: readonly string[],
  opts: PlanOptions = {},
): Promise<Map<string, StackPlan | PlanFailure>> {
  const root = opts.root ?? REPO_ROOT;
  const project = readProject(root);
  const { pwd, main } = pwdMain(project);
  const org = opts.organization ?? DEFAULT_ORGANIZATION;
  const known = [...new Set([...STACK_ORDER, ...listStackFiles(root), ...Object.keys(opts.configOverride ?? {})])];
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const limit = limiter(Math.max(1, opts.concurrency ?? 2));
  const results = new Map<string, Promise<StackPlan | PlanFailure>>();
  for (const [name, plan] of Object.entries(opts.upstream ?? {})) results.set(name, Promise.resolve(plan));

  const planOne = (stack: string, chain: readonly string[]): Promise<StackPlan | PlanFailure> => {
    const existing = results.get(stack);
    if (existing) return existing;
    const promise = (async (): Promise<StackPlan | PlanFailure> => {
      const fail = (message: string, log: readonly string[] = [], detail?: string): PlanFailure => {
        const failure: PlanFailure = { stack, message, log, ...(detail ? { detail } : {}) };
        opts.onEvent?.({ kind: "failed", stack, failure });
        return failure;
      };
      let config: Record<string, string>;
      try {
        config = configOf(stack, root, opts);
      } catch (err) {
        return fail((err as Error).message);
      }
      const region = config["aws:region"];
      if (!region) return fail(`aws:region is not set for stack "${stack}"; the AWS provider needs it.`);

      // Keyed by the name the program reads: `platform/shared` completed with the organization.
      const refs = new Map<string, Ref>(
        referencedStacks(config, project.name, known, stack).map((r) => {
          const name = qualifyStackName(r.name, org);
          return [name, { ...r, name }];
        }),
      );
      type Upstream = { ok: true; outputs: Record<string, Record<string, unknown>> } | { ok: false; failure: PlanFailure };
      const upstreamOutputs = async (): Promise<Upstream> => {
        const outputs: Record<string, Record<string, unknown>> = {};
        for (const ref of [...refs.values()].sort((a, b) => compareStacks(a.stack, b.stack))) {
          if (chain.includes(ref.stack) || ref.stack === stack) {
            return { ok: false, failure: fail(`StackReference cycle: ${[...chain, stack, ref.stack].join(" -> ")}`) };
          }
          const up = await planOne(ref.stack, [...chain, stack]);
          if (!isStackPlan(up)) {
            return {
              ok: false,
              failure: fail(`upstream stack "${ref.stack}" (StackReference "${ref.name}") failed to plan: ${up.message}`),
            };
          }
          outputs[ref.name] = up.outputs;
        }
        return { ok: true, outputs };
      };

      for (let attempt = 0; attempt < 2; attempt++) {
        const upstream = await upstreamOutputs();
        if (!upstream.ok) return upstream.failure;
        const outputs = upstream.outputs;
        const request: WorkerRequest = {
          stack,
          project: project.name,
          organization: org,
          root,
          pwd,
          main,
          config,
          stackOutputs: outputs,
        };
        const { result, log, wallMs } = await limit(() => {
          opts.onEvent?.({ kind: "start", stack });
          return runWorker(request, workerEnv(project, stack, config, org, opts.transpileOnly), timeoutMs);
        });
        if (result.ok) {
          const plan: StackPlan = {
            stack,
            deployment: result.deployment,
            options: result.options,
            outputs: result.outputs,
            remoteUrns: result.remoteUrns,
            upstream: [...new Set([...refs.values()].map((r) => r.stack))].sort(compareStacks),
            log,
            stats: { ...result.stats, wallMs },
          };
          opts.onEvent?.({ kind: "done", stack, plan });
          return plan;
        }
        const missing = result.missingStackReferences.filter((n) => !refs.has(n));
        if (attempt === 0 && missing.length > 0) {
          const unresolved = missing.filter((n) => !parseReference(n, project.name, known));
          if (unresolved.length > 0) {
            return fail(
              `StackReference ${unresolved.map((n) => `"${n}"`).join(", ")} names no stack of project "${project.name}" ` +
                `(known: ${known.join(", ")}); offline planning can only answer references to this project's stacks.`,
              log,
            );
          }
          // The config scan missed these; plan them and run once more.
          for (const n of missing) refs.set(n, parseReference(n, project.name, known)!);
          continue;
        }
        return fail(result.message, log, result.stack);
      }
      return fail("unreachable: plan retried twice");
    })();
    results.set(stack, promise);
    return promise;
  };

  const requested = [...new Set(stacks)].sort(compareStacks);
  const settled = await Promise.all(requested.map((s) => planOne(s, [])));
  return new Map(requested.map((s, i) => [s, settled[i]]));
}

/** Plans `stacks` (and their upstream); throws PlanError listing every failure. */
export async function planStacks(stacks: readonly string[], opts: PlanOptions = {}): Promise<Map<string, StackPlan>> {
  const settled = await planStacksSettled(stacks, opts);
  const failures = [...settled.values()].filter((r): r is PlanFailure => !isStackPlan(r));
  if (failures.length > 0) throw new PlanError(failures);
  return settled as Map<string, StackPlan>;
}

/** Plans one stack (and its upstream). */
export async function planStack(stack: string, opts: PlanOptions = {}): Promise<StackPlan> {
  return (await planStacks([stack], opts)).get(stack)!;
}

export function isStackPlan(r: StackPlan | PlanFailure): r is StackPlan {
  return "deployment" in r;
}
