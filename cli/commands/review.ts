import * as fs from "fs";
import * as path from "path";
import { compareStacks, STACK_ORDER } from "../../infra/stacks";
import type { Command } from "../main";
import { listStackFiles } from "../evaluate/stack-config";
import { parseFlags, UsageError } from "../plan/args";
import { BaseSource, collectReview, HeadSource } from "../review/collect";
import { buildReview, REVIEW_CHAR_LIMIT } from "../review/report";

const USAGE = `Usage: platform review [--base <git-ref> | --base-plans DIR] [--head-plans DIR] [--previews DIR]
                       [--stacks a,b,...] [--out FILE] [--max-chars N]

One Markdown report for a pull request, covering every stack: a summary table (changes, dangerous
changes, policy violations, monthly cost base -> head), per stack the dangerous changes, policy
violations, the change list with property diffs and the cost change, an environment parity table
(settings that differ between stacks) and a Mermaid diagram of the head revision.

  --base REF        plan every stack at git revision REF and in the working tree, and compare
  --base-plans DIR  compare with deployment documents DIR/<stack>.json instead (a missing file
                    is a stack that does not exist yet)
  (neither)         compare with nothing: every resource is a create
  --head-plans DIR  take the head plans from DIR/<stack>.json instead of planning the working tree
                    (with --base-plans: review two sets of plan files, no planning at all);
                    files may be offline plans, \`pulumi stack export\` documents or
                    \`pulumi preview --json\` digests
  --previews DIR    \`pulumi preview --json\` digests DIR/<stack>.json: a stack with one reports
                    the engine's own operations against the deployed state (no base needed);
                    the others are planned offline as usual. The report names each stack's source.
  --stacks LIST     comma-separated stacks; default every stack (${STACK_ORDER.join(", ")})
  --out FILE        write the report to FILE instead of stdout
  --max-chars N     size budget of the report; default ${REVIEW_CHAR_LIMIT} (GitHub's comment limit is 65,536).
                    Longer reports shorten their largest stack sections first and say so.

Exit codes: 0 no mandatory policy violation; 1 a stack has a mandatory violation (the report is
still written); 2 usage error, or a stack or step failed to evaluate (the report says which).`;

interface Parsed {
  readonly stacks: string[];
  readonly base: BaseSource;
  readonly head: HeadSource;
  readonly out?: string;
  readonly limit: number;
  readonly previews?: string;
}

export function parseReviewArgs(argv: readonly string[]): Parsed {
  const a = parseFlags(argv, {
    values: ["--base", "--base-plans", "--head-plans", "--previews", "--stacks", "--out", "--max-chars"],
    booleans: [],
  });
  if (a.positionals.length > 0)
    throw new UsageError(`unexpected argument "${a.positionals[0]}" (name stacks with --stacks)`);
  const ref = a.values["--base"];
  const baseDir = a.values["--base-plans"];
  const headDir = a.values["--head-plans"];
  const previews = a.values["--previews"];
  if (ref !== undefined && baseDir !== undefined)
    throw new UsageError("Only one of --base and --base-plans can be given");
  if (ref !== undefined && headDir !== undefined) {
    throw new UsageError(
      "--base plans the working tree as head; use --base-plans with --head-plans to compare plan files",
    );
  }
  for (const [flag, dir] of [
    ["--base-plans", baseDir],
    ["--head-plans", headDir],
    ["--previews", previews],
  ] as const) {
    if (dir !== undefined && !fs.existsSync(dir))
      throw new UsageError(`${flag} ${dir}: no such directory`);
  }
  let stacks: string[];
  if (a.values["--stacks"] !== undefined) {
    stacks = a.values["--stacks"]
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    if (stacks.length === 0) throw new UsageError("--stacks names no stack");
    const known = new Set<string>([...STACK_ORDER, ...listStackFiles()]);
    if (headDir)
      for (const f of fs.readdirSync(headDir)) if (f.endsWith(".json")) known.add(f.slice(0, -5));
    const unknown = stacks.filter((s) => !known.has(s));
    if (unknown.length > 0)
      throw new UsageError(
        `unknown stack(s) ${unknown.join(", ")} (known: ${[...known].join(", ")})`,
      );
  } else if (headDir) {
    stacks = fs
      .readdirSync(headDir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -5));
    if (stacks.length === 0) throw new UsageError(`--head-plans ${headDir} holds no <stack>.json`);
  } else stacks = [...STACK_ORDER];
  let limit = REVIEW_CHAR_LIMIT;
  if (a.values["--max-chars"] !== undefined) {
    limit = Number(a.values["--max-chars"]);
    if (!Number.isInteger(limit) || limit < 1_000)
      throw new UsageError(
        `--max-chars must be a whole number of at least 1000 (got "${a.values["--max-chars"]}")`,
      );
  }
  return {
    stacks: [...new Set(stacks)].sort(compareStacks),
    base:
      ref !== undefined
        ? { kind: "git", ref }
        : baseDir !== undefined
          ? { kind: "dir", dir: baseDir }
          : { kind: "none" },
    head: headDir !== undefined ? { kind: "dir", dir: headDir } : { kind: "plan" },
    limit,
    ...(previews !== undefined ? { previews } : {}),
    ...(a.values["--out"] !== undefined ? { out: a.values["--out"] } : {}),
  };
}

export const command: Command = {
  summary:
    "One PR report for every stack: changes, dangerous changes, policy, cost delta, parity, diagram",
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    let args: Parsed;
    try {
      args = parseReviewArgs(argv);
    } catch (err) {
      if (err instanceof UsageError) {
        process.stderr.write(`platform review: ${err.message}\n\n${USAGE}\n`);
        return 2;
      }
      throw err;
    }
    const started = Date.now();
    let inputs;
    try {
      inputs = await collectReview({
        stacks: args.stacks,
        base: args.base,
        head: args.head,
        ...(args.previews !== undefined ? { previews: args.previews } : {}),
        log: (line) => process.stderr.write(`${line}\n`),
      });
    } catch (err) {
      process.stderr.write(
        `platform review: ${err instanceof Error ? err.message : String(err)}\n`,
      );
      return 2;
    }
    const result = buildReview({ ...inputs, limit: args.limit });
    if (args.out) {
      fs.mkdirSync(path.dirname(path.resolve(args.out)), { recursive: true });
      fs.writeFileSync(args.out, result.markdown);
    } else process.stdout.write(result.markdown);
    const trimmed =
      result.trimmed.length > 0
        ? `; trimmed: ${result.trimmed.map((t) => (t.stack ? `${t.stack}: ${t.what}` : t.what)).join("; ")}`
        : "";
    process.stderr.write(
      `platform review: ${args.stacks.length} stack(s), ${result.markdown.length} characters${args.out ? ` written to ${args.out}` : ""}, ` +
        `exit ${result.exitCode}, ${((Date.now() - started) / 1000).toFixed(1)} s${trimmed}\n`,
    );
    return result.exitCode;
  },
};
