import * as fs from "fs";
import * as path from "path";
import type { Command } from "../main";
import { REPO_ROOT, stackConfigPath } from "../evaluate/stack-config";
import { DiffResult, diffDeployments } from "../diff/engine";
import { withRevision } from "../diff/git";
import { renderJson, renderMarkdown, renderText } from "../diff/render";
import { loadReplaceTable } from "../diff/table";
import { oneOf, parseFlags, UsageError } from "../plan/args";
import { emptyDeployment, UntypedDeployment } from "../plan/deployment";
import { diffPreview, readStackInput, StackInput } from "../input";
import { DeploymentError } from "../policy/deployment";
import { isStackPlan, PlanFailure, planStacksSettled } from "../plan/planner";

const USAGE = `Usage: platform diff <stack> --base <git-ref> [--format text|md|json] [--out FILE] [--fail-on-danger]
       platform diff --from A.json --to B.json [--stack NAME] [--format text|md|json] [--out FILE] [--fail-on-danger]
       platform diff --to PREVIEW.json [--stack NAME] [--format text|md|json] [--out FILE] [--fail-on-danger]

What a change does to a stack, offline: per resource create, update, replace or delete (matched by
URN), property-level changes, and dangerous changes (replace/delete of databases, VPCs, subnets,
EIPs, load balancers, buckets, KMS keys, log groups; any change to a protected resource) first.

  <stack> --base REF   plan the stack at git revision REF (a temporary copy of the tree that reuses
                       node_modules) and in the working tree, and compare
  --from A --to B      compare two deployment documents (platform plan output or pulumi stack export)
  --to PREVIEW         a \`pulumi preview --json\` digest: report the engine's own operations
                       (create/update/replace/delete, replace order); no --from needed
  --stack NAME         label for --from/--to reports
  --format F           text (default), md (PR comment), json (docs/diff-format.md)
  --out FILE           write the report to FILE instead of stdout
  --fail-on-danger     exit 1 when there is any dangerous change

Whether an update replaces comes from cli/diff/replace-on-change.json; types missing there are
reported as "may replace" (a preview digest needs no table: the engine decided).

Exit codes: 0 diff printed; 1 dangerous changes with --fail-on-danger; 2 usage or evaluation error.`;

/** Any plan file; a `pulumi preview --json` digest only as the head (it is already a diff). */
function readDeployment(file: string, side: "--from" | "--to"): StackInput {
  const input = readStackInput(file, { requireComplete: false });
  if (input.preview && side === "--from")
    throw new UsageError(`--from ${file} is a \`pulumi preview --json\` digest: give it as --to (it already compares with the deployed state)`);
  return input;
}

function failureText(where: string, f: PlanFailure): string {
  return `platform diff: stack "${f.stack}" failed to evaluate at ${where}:\n${f.message}\n${f.detail ? `${f.detail}\n` : ""}`;
}

export async function diffAgainstRevision(stack: string, ref: string, root: string = REPO_ROOT): Promise<DiffResult> {
  const headRun = planStacksSettled([stack], { root, concurrency: 1 });
  const baseRun = withRevision(root, ref, async (dir) => {
    if (!fs.existsSync(stackConfigPath(stack, dir))) return { empty: true as const };
    return { empty: false as const, result: (await planStacksSettled([stack], { root: dir, concurrency: 1 })).get(stack)! };
  });
  const [head, base] = await Promise.all([headRun, baseRun]);
  const headPlan = head.get(stack)!;
  if (!isStackPlan(headPlan)) throw new EvaluationError(failureText("the working tree", headPlan));
  let baseDoc: UntypedDeployment;
  if (base.empty) baseDoc = emptyDeployment();
  else if (!isStackPlan(base.result)) throw new EvaluationError(failureText(ref, base.result));
  else baseDoc = base.result.deployment;
  return diffDeployments({
    base: baseDoc,
    head: headPlan.deployment,
    table: loadReplaceTable(),
    baseLabel: ref,
    headLabel: "working tree",
    stack,
    headOptions: headPlan.options,
  });
}

class EvaluationError extends Error {}

export const command: Command = {
  summary: "Compare a stack's plan with a git revision's, or two plan files: create/update/replace/delete",
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    let result: DiffResult;
    let format: "text" | "md" | "json";
    let out: string | undefined;
    let failOnDanger: boolean;
    try {
      const a = parseFlags(argv, {
        values: ["--base", "--from", "--to", "--format", "--out", "--stack"],
        booleans: ["--fail-on-danger"],
      });
      format = oneOf("--format", a.values["--format"], ["text", "md", "json"] as const, "text");
      out = a.values["--out"];
      failOnDanger = a.booleans.has("--fail-on-danger");
      const from = a.values["--from"];
      const to = a.values["--to"];
      if (from !== undefined || to !== undefined) {
        if (to === undefined) throw new UsageError("--from and --to go together");
        if (a.values["--base"] !== undefined || a.positionals.length > 0) {
          throw new UsageError("use either <stack> --base REF or --from A --to B");
        }
        const head = readDeployment(to, "--to");
        const stack = a.values["--stack"];
        if (head.preview) {
          // The engine already compared the program with the deployed state: its ops are the diff.
          if (from !== undefined)
            throw new UsageError(`--to ${to} is a \`pulumi preview --json\` digest, already a diff against the deployed state: drop --from`);
          const named = stack ?? head.stack;
          result = diffPreview(head.preview, { table: loadReplaceTable(), headLabel: path.basename(to), ...(named ? { stack: named } : {}) });
        } else {
          if (from === undefined) throw new UsageError("--from and --to go together (only a preview digest as --to needs no --from)");
          result = diffDeployments({
            base: readDeployment(from, "--from").deployment,
            head: head.deployment,
            table: loadReplaceTable(),
            baseLabel: path.basename(from),
            headLabel: path.basename(to),
            ...(stack ? { stack } : {}),
            // A stack export carries ignoreChanges/replaceOnChanges on each resource; a plan file does not.
            ...(head.format === "stack-export" ? { headOptions: head.options } : {}),
          });
        }
      } else {
        if (a.positionals.length !== 1) throw new UsageError("name one stack");
        const ref = a.values["--base"];
        if (ref === undefined) throw new UsageError("<stack> needs --base <git-ref> (or use --from/--to)");
        result = await diffAgainstRevision(a.positionals[0], ref);
      }
    } catch (err) {
      if (err instanceof UsageError) {
        process.stderr.write(`platform diff: ${err.message}\n\n${USAGE}\n`);
        return 2;
      }
      if (err instanceof DeploymentError) {
        process.stderr.write(`platform diff: ${err.message}\n`);
        return 2;
      }
      if (err instanceof EvaluationError) {
        process.stderr.write(err.message);
        return 2;
      }
      if (err instanceof Error && /is not a commit/.test(err.message)) {
        process.stderr.write(`platform diff: ${err.message}\n`);
        return 2;
      }
      throw err;
    }
    const text = format === "json" ? renderJson(result) : format === "md" ? renderMarkdown(result) : renderText(result);
    if (out) fs.writeFileSync(out, text);
    else process.stdout.write(text);
    return failOnDanger && result.dangers.length > 0 ? 1 : 0;
  },
};
