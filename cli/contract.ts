import * as fs from "fs";
import * as path from "path";
import { compareStacks, STACK_ORDER } from "../infra/stacks";
import { listStackFiles, REPO_ROOT } from "./evaluate/stack-config";
import { FlagSpec, ParsedArgs, parseFlags, UsageError } from "./plan/args";

/**
 * The contract every `platform` command keeps (docs/cli.md): the same flag means the same thing
 * everywhere, bad input is exit 2 with a message naming the file/flag/value and the fix, output
 * files are written whole or not at all, and no stack trace reaches the user unless
 * PLATFORM_DEBUG=1. Commands declare their flags from SHARED_FLAGS plus their own, so a new command
 * gets the shared meanings by naming them.
 */

export { UsageError };

/** Bad input that is not a flag mistake (a file, a plan, a ref): exit 2, no usage text. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

/** One flag a command accepts. */
export interface FlagDef {
  readonly flag: `--${string}`;
  /** The value's placeholder (FILE, DIR, F, REF); absent for a boolean flag. */
  readonly value?: string;
  /** Given more than once, every value is kept (ParsedArgs.lists). */
  readonly repeatable?: boolean;
  readonly help: string;
}

/**
 * Flags with one meaning across commands. A command that writes a report takes --out; one that
 * reads a plan takes --plan; a command about one stack takes it as a positional <stack>, one about
 * several takes --stacks (comma-separated), and --stack only labels a report.
 */
export const SHARED_FLAGS = {
  out: {
    flag: "--out",
    value: "FILE",
    help: "write the output to FILE instead of stdout; written only when the command succeeds",
  },
  format: { flag: "--format", value: "F", help: "output format (the command lists its own)" },
  plan: {
    flag: "--plan",
    value: "FILE",
    help: "read the plan from FILE (`platform plan` output or `pulumi stack export`) instead of planning; its stack must be the one named",
  },
  stack: { flag: "--stack", value: "NAME", help: "the stack a report is about, when no plan names it" },
  stacks: { flag: "--stacks", value: "LIST", help: "comma-separated stacks; default every stack" },
  root: { flag: "--root", value: "DIR", help: "the project (folder holding Pulumi.yaml); default this repository" },
} as const satisfies Record<string, FlagDef>;

/** A command's flags as parseFlags takes them. */
export function flagSpec(flags: readonly FlagDef[]): FlagSpec {
  return {
    values: flags.filter((f) => f.value !== undefined && !f.repeatable).map((f) => f.flag),
    booleans: flags.filter((f) => f.value === undefined).map((f) => f.flag),
    repeatable: flags.filter((f) => f.value !== undefined && f.repeatable).map((f) => f.flag),
  };
}

/** parseFlags over declared flags, with a did-you-mean for a misspelt one. */
export function parseCommandArgs(argv: readonly string[], flags: readonly FlagDef[]): ParsedArgs {
  try {
    return parseFlags(argv, flagSpec(flags));
  } catch (err) {
    const m = err instanceof UsageError ? /^unknown option (--\S+)$/.exec(err.message) : null;
    if (m) {
      const guess = didYouMean(
        m[1],
        flags.map((f) => f.flag),
      );
      throw new UsageError(`unknown option ${m[1]}${guess ? ` (did you mean ${guess}?)` : ""}`);
    }
    throw err;
  }
}

/**
 * Edit distance with adjacent transpositions (optimal string alignment): insert, delete,
 * substitute and swapping two neighbours each cost 1, so "dve" is one typo away from "dev".
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The closest candidate when it is close enough to be a typo: at most a third of the longer
 * name's characters differ (at least one), ties broken by the candidates' order.
 */
export function didYouMean(value: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(value.toLowerCase(), c.toLowerCase());
    if (d < bestDistance && d <= Math.max(1, Math.floor(Math.max(value.length, c.length) / 3))) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Shipped stacks, then any other environments/Pulumi.<stack>.yaml, in deployment order. */
export function knownStacks(root: string = REPO_ROOT): string[] {
  let files: string[] = [];
  try {
    files = listStackFiles(root);
  } catch {
    // a --root without environments/ still knows the shipped stacks
  }
  return [...new Set<string>([...STACK_ORDER, ...files])].sort(compareStacks);
}

/** The message every command gives for a stack it does not know. */
export function unknownStackMessage(name: string, known: readonly string[]): string {
  const guess = didYouMean(name, known);
  return (
    `unknown stack "${name}"${guess ? ` (did you mean "${guess}"?)` : ""}; ` +
    `stacks: ${known.join(", ")} (one per environments/Pulumi.<stack>.yaml)`
  );
}

/** `name` when it is a known stack; a UsageError listing the stacks and a did-you-mean otherwise. */
export function resolveStack(name: string, known: readonly string[] = knownStacks()): string {
  if (!known.includes(name)) throw new UsageError(unknownStackMessage(name, known));
  return name;
}

/** How a path is shown in messages: relative to the working directory when under it. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), path.resolve(file));
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
}

function readText(file: string, what: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory, not a file" : (err as Error).message;
    throw new InputError(`${what} ${displayPath(file)}: ${why}`);
  }
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split("\n");
  return { line: lines.length, col: lines[lines.length - 1].length + 1 };
}

/**
 * Where JSON text first stops being JSON (RFC 8259 grammar), as a character offset. V8's own
 * message gives a position for some errors only ("Unexpected token ',', ..." has none), so the
 * failure path scans the text itself; valid JSON never comes here.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    for (const ch of word) if (text[i++] !== ch) (i--, fail());
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      if (text[i] === "\\") {
        i++;
        if (text[i] === "u") {
          for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? "")) ((i += k), fail());
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? "")) fail();
      }
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m || m[0] === "" || m[0] === "-") fail();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ":") fail();
        i++;
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") return void i++;
        else fail();
      }
    } else if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") return void i++;
        else fail();
      }
    } else if (c === '"') string();
    else if (c === "t") literal("true");
    else if (c === "f") literal("false");
    else if (c === "n") literal("null");
    else if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) number();
    else fail();
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
  } catch (at) {
    if (typeof at === "number") return at;
    throw at;
  }
  return text.length;
}

/** Parses JSON text; an error names `label` (how the file is shown) and the line:column. */
export function parseJsonText(text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const { line, col } = lineColumn(text, jsonErrorOffset(text));
    const msg = (err as Error).message.split("\n")[0].replace(/, (\.\.\.)?".*$/, "").replace(/ (in JSON )?at position \d+.*$/, "");
    throw new InputError(`${label}:${line}:${col}: not valid JSON: ${msg}`);
  }
}

/** Reads and parses a JSON file; every failure names the file (and line:column). `what` prefixes a missing file. */
export function readJsonFile(file: string, what = "file"): unknown {
  return parseJsonText(readText(file, what), displayPath(file));
}

/** Parses YAML text with the `yaml` package; a syntax error becomes FILE:LINE:COL: message. */
export function parseYamlText(text: string, label: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yaml = require("yaml") as typeof import("yaml");
  // prettyErrors computes linePos (1-based line and column) for each error.
  const doc = yaml.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0];
    const where = pos ? `:${pos.line}:${pos.col}` : "";
    throw new InputError(`${label}${where}: not valid YAML: ${e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}`);
  }
  return doc.toJS();
}

/**
 * Writes `text` to `file` whole or not at all: a temporary file in the same folder, renamed over
 * the target (rename within a file system is atomic on POSIX), so a reader or a failed run never
 * sees half a report.
 */
export function writeFileAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw new InputError(`cannot write ${displayPath(file)}: ${(err as Error).message}`);
  }
}

/** Writes the command's output to --out (atomically) or stdout. */
export function emit(text: string, out: string | undefined): void {
  if (out !== undefined) writeFileAtomic(out, text);
  else process.stdout.write(text);
}

/** The stack a deployment document is of: the stack segment its URNs share (urn:pulumi:<stack>::…). */
export function stackOfPlan(doc: unknown): string | undefined {
  const d = doc as { deployment?: { resources?: unknown } } | null;
  const resources = (d?.deployment?.resources ?? (doc as { resources?: unknown } | null)?.resources) as unknown;
  if (!Array.isArray(resources)) return undefined;
  for (const r of resources) {
    const urn = (r as { urn?: unknown } | null)?.urn;
    if (typeof urn === "string") {
      const m = /^urn:pulumi:([^:]+)::/.exec(urn);
      if (m) return m[1];
    }
  }
  return undefined;
}

/** Refuses a plan of another stack: its numbers would be reported under the wrong name. */
export function checkPlanStack(doc: unknown, stack: string, file: string): void {
  const of = stackOfPlan(doc);
  if (of !== undefined && of !== stack) {
    throw new InputError(
      `${displayPath(file)} is a plan of stack "${of}", not "${stack}": pass ${stack}'s plan, or name stack "${of}"`,
    );
  }
}

/**
 * Errors a user can act on print as one line; anything else is a bug and keeps its stack trace
 * only under PLATFORM_DEBUG=1 (the message alone otherwise, with the hint how to see more).
 */
export function errorText(err: unknown): string {
  const debug = process.env.PLATFORM_DEBUG === "1";
  if (!(err instanceof Error)) return String(err);
  if (debug && err.stack) return err.stack;
  return err.message;
}
