import { z } from "zod";
import { ConfigProblem } from "./problems";

/**
 * Turns zod issues into ConfigProblems that name the full key, the received value, what is allowed
 * and the fix. Zod checks shape (types, enums, bounds, unknown keys); cross-field rules live in the
 * semantic validators, which produce ConfigProblems directly.
 */

type Path = readonly PropertyKey[];

export function keyOf(namespace: string, path: Path): string {
  let out = namespace;
  path.forEach((seg, i) => {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += i === 0 ? `:${String(seg)}` : `.${String(seg)}`;
  });
  return out;
}

export function valueAt(root: unknown, path: Path): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg as string];
  }
  return cur;
}

/** Unwraps optional/default/nullable wrappers to the schema that has the shape. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  for (let i = 0; i < 10; i++) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodDefault || s instanceof z.ZodPrefault) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else break;
  }
  return s;
}

function schemaAt(root: z.ZodType, path: Path): z.ZodType | undefined {
  let s: z.ZodType | undefined = unwrap(root);
  for (const seg of path) {
    if (!s) return undefined;
    if (s instanceof z.ZodObject) s = (s.shape as Record<string, z.ZodType>)[String(seg)];
    else if (s instanceof z.ZodArray) s = s.element as z.ZodType;
    else if (s instanceof z.ZodRecord) s = s.valueType as z.ZodType;
    else return undefined;
    s = s ? unwrap(s) : undefined;
  }
  return s;
}

function knownKeys(root: z.ZodType, path: Path): string[] {
  const s = schemaAt(root, path);
  return s instanceof z.ZodObject ? Object.keys(s.shape as object) : [];
}

function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
  return d[a.length][b.length];
}

export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dist = distance(word, c);
    if (dist < bestD) {
      bestD = dist;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`;
}

function quoteList(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(", ");
}

export interface CustomIssueParams {
  readonly allowed: string;
  readonly fix: string;
}

export function zodIssuesToProblems(
  namespace: string,
  schema: z.ZodType,
  input: unknown,
  issues: readonly z.core.$ZodIssue[],
  file: string,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = issue.path as Path;
    const key = keyOf(namespace, path);
    const received = valueAt(input, path);
    switch (issue.code) {
      case "unrecognized_keys": {
        const known = knownKeys(schema, path);
        for (const k of issue.keys) {
          const hint = suggest(k, known);
          problems.push({
            key: keyOf(namespace, [...path, k]),
            received: valueAt(input, [...path, k]),
            allowed: path.length === 0 ? `the known keys ${known.map((x) => `${namespace}:${x}`).join(", ")}` : `the known keys ${known.join(", ")}`,
            fix: hint ? `rename it to "${hint}" (a typo?) in ${file}` : `remove it from ${file}`,
          });
        }
        break;
      }
      case "invalid_type":
        problems.push({
          key,
          received,
          allowed: received === undefined ? `${article(issue.expected)} (this key is required)` : article(issue.expected),
          fix: received === undefined ? `add ${key} to ${file}` : `set ${key} to ${article(issue.expected)} in ${file}`,
        });
        break;
      case "invalid_value":
        problems.push({
          key,
          received,
          allowed: `one of ${quoteList(issue.values)}`,
          fix: `set ${key} to one of ${quoteList(issue.values)} in ${file}`,
        });
        break;
      case "too_small":
      case "too_big": {
        const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
        const inclusive = issue.inclusive !== false;
        const cmp = issue.code === "too_small" ? (inclusive ? ">=" : ">") : inclusive ? "<=" : "<";
        const what = issue.origin === "array" ? "a list with a length" : issue.origin === "string" ? "a string with a length" : "a number";
        problems.push({ key, received, allowed: `${what} ${cmp} ${String(bound)}`, fix: `change ${key} in ${file} to ${what} ${cmp} ${String(bound)}` });
        break;
      }
      case "custom": {
        const params = (issue.params ?? {}) as Partial<CustomIssueParams>;
        problems.push({ key, received, allowed: params.allowed ?? issue.message, fix: params.fix ?? `correct ${key} in ${file}` });
        break;
      }
      default:
        problems.push({ key, received, allowed: issue.message, fix: `correct ${key} in ${file}` });
    }
  }
  return problems;
}

/**
 * A copy of `input` without the values the issues point at, so defaults can fill them and the
 * semantic rules can still judge the rest of the section.
 */
export function withoutIssues(input: unknown, issues: readonly z.core.$ZodIssue[]): unknown {
  const copy = structuredClone(input) as unknown;
  for (const issue of issues) {
    const path = issue.path as Path;
    const targets = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...path, k]) : [path];
    for (const t of targets) {
      if (t.length === 0) continue;
      const parent = valueAt(copy, t.slice(0, -1));
      if (parent && typeof parent === "object") delete (parent as Record<PropertyKey, unknown>)[t[t.length - 1] as string];
    }
  }
  return copy;
}
