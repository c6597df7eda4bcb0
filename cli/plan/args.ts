/**
 * A small flag parser for `platform plan` and `platform diff`: `--flag value`, `--flag=value`,
 * boolean flags, positionals. Unknown flags are errors (a typo must not be ignored silently).
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface FlagSpec {
  /** Flags that take a value. */
  readonly values: readonly string[];
  /** Flags that take none. */
  readonly booleans: readonly string[];
  /** Flags that take a value and may be given more than once (ParsedArgs.lists). */
  readonly repeatable?: readonly string[];
}

export interface ParsedArgs {
  readonly positionals: string[];
  readonly values: Record<string, string>;
  readonly booleans: Set<string>;
  /** Every value of each repeatable flag, in order (absent flags have no entry). */
  readonly lists: Record<string, string[]>;
}

export function parseFlags(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const positionals: string[] = [];
  const values: Record<string, string> = {};
  const booleans = new Set<string>();
  const lists: Record<string, string[]> = {};
  const repeatable = spec.repeatable ?? [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const flag = eq >= 0 ? a.slice(0, eq) : a;
    if (spec.booleans.includes(flag)) {
      if (eq >= 0) throw new UsageError(`${flag} takes no value`);
      booleans.add(flag);
    } else if (spec.values.includes(flag) || repeatable.includes(flag)) {
      let v: string | undefined;
      if (eq >= 0) v = a.slice(eq + 1);
      else {
        v = argv[i + 1];
        i++;
      }
      if (v === undefined || v === "" || (eq < 0 && v.startsWith("--"))) throw new UsageError(`${flag} needs a value`);
      if (repeatable.includes(flag)) (lists[flag] ??= []).push(v);
      else if (flag in values) throw new UsageError(`${flag} given twice`);
      else values[flag] = v;
    } else {
      throw new UsageError(`unknown option ${flag}`);
    }
  }
  return { positionals, values, booleans, lists };
}

export function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} must be one of ${allowed.join(", ")} (got "${value}")`);
  }
  return value as T;
}
