import { stackFileName } from "../stacks";

/**
 * One configuration problem: which key, what was received, what is allowed, and how to fix it.
 * Every validator in the program returns these; `ConfigError` aggregates them into the single
 * message a user sees before any resource is registered.
 */
export interface ConfigProblem {
  /** Fully qualified config path, e.g. `platform:network.cidr` or `platform:services[0].cpu`. */
  readonly key: string;
  /** The value received, as written in the stack file (undefined when the key is missing). */
  readonly received: unknown;
  /** What is allowed, in words ("an RFC 1918 CIDR between /16 and /28"). */
  readonly allowed: string;
  /** What to change, concretely. */
  readonly fix: string;
}

/**
 * The problem of a list that names a value more than once (none when every value is distinct):
 * `allowed` says what must be unique, the fix names each repeated value once.
 */
export function duplicateProblems<T>(key: string, values: readonly T[], allowed: string): ConfigProblem[] {
  const dupes = values.filter((v, i) => values.indexOf(v) !== i);
  if (dupes.length === 0) return [];
  return [{ key, received: values, allowed, fix: `remove the duplicate ${[...new Set(dupes)].join(", ")}` }];
}

export function describeValue(value: unknown): string {
  if (value === undefined) return "(not set)";
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

export function formatProblem(p: ConfigProblem): string {
  return ` - ${p.key}: received ${describeValue(p.received)}; allowed: ${p.allowed}; fix: ${p.fix}`;
}

/**
 * Thrown by `loadConfig` when a stack's config is invalid. The message lists every problem, so a
 * user fixes the file once instead of discovering problems one `pulumi up` at a time.
 */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];
  readonly stackName: string;

  constructor(stack: string, problems: readonly ConfigProblem[]) {
    const noun = problems.length === 1 ? "problem" : "problems";
    super(
      `Invalid configuration for stack "${stack}" (${stackFileName(stack)}), ` +
        `${problems.length} ${noun}; nothing was created:\n` +
        problems.map(formatProblem).join("\n"),
    );
    this.name = "ConfigError";
    this.stackName = stack;
    this.problems = problems;
  }
}
