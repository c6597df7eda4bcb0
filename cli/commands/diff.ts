import * as fs from "fs";
import * as path from "path";
import type { Command } from "../main";
import { REPO_ROOT, stackConfigPath } from "../evaluate/stack-config";
import { DiffResult, diffDeployments } from "../diff/engine";
import { resolveRevision, withRevision } from "../diff/git";
import { renderJson, renderMarkdown, renderText } from "../diff/render";
import { loadReplaceTable } from "../diff/table";
import {
  checkPlanStack,
  displayPath,
  emit,
  errorText,
  FlagDef,
  InputError,
  knownStacks,
  parseCommandArgs,
  resolveStack,
  SHARED_FLAGS,
  stackOfPlan,
} from "../contract";
import { oneOf, UsageError } from "../plan/args";
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
  --stack NAME         label for --from/--to reports; both documents must be plans of it
  --format F           text (default), md (PR comment), json (docs/diff-format.md)
  --out FILE           write the report to FILE instead of stdout (whole, and only on success)
  --root DIR           the project (folder with Pulumi.yaml); default: this repository
  --fail-on-danger     exit 1 when there is any dangerous change

Whether an update replaces comes from cli/diff/replace-on-change.json; types missing there are
reported as "may replace" (a preview digest needs no table: the engine decided).

Exit codes: 0 diff printed; 1 dangerous changes with --fail-on-danger; 2 usage or evaluation error.`;

export const FLAGS: readonly FlagDef[] = [
  { flag: "--base", value: "REF", help: "git revision to compare the working tree's plan with" },
  { flag: "--from", value: "FILE", help: "the base deployment document" },
  { flag: "--to", value: "FILE", help: "the head deployment document, or a `pulumi preview --json` digest" },
  { ...SHARED_FLAGS.stack, help: "label for --from/--to reports; both documents must be plans of it" },
  { ...SHARED_FLAGS.format, help: "text (default), md or json" },
  SHARED_FLAGS.out,
  { flag: "--fail-on-danger", help: "exit 1 when there is any dangerous change" },
  SHARED_FLAGS.root,
];

/** Any plan file; a `pulumi preview --json` digest only as the head (it is already a diff). */
function readDeployment(file: string, side: "--from" | "--to", stack: string | undefined): StackInput {
  const input = readStackInput(file, { requireComplete: false }, side);
  if (input.preview && side === "--from")
    throw new UsageError(`--from ${file} is a \`pulumi preview --json\` digest: give it as --to (it already compares with the deployed state)`);
  if (stack !== undefined) checkPlanStack(input.deployment, stack, file);
  return input;
}

function failureText(where: string, f: PlanFailure): string {
  return `platform diff: stack "${f.stack}" failed to evaluate at ${where}:\n${f.message}\n${f.detail ? `${f.detail}\n` : ""}`;
}

export async function diffAgainstRevision(stack: string, ref: string, root: string = REPO_ROOT): Promise<DiffResult> {
  // A ref that names no commit is refused before anything is planned.
  resolveRevision(root, ref);
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
      const a = parseCommandArgs(argv, FLAGS);
      const root = a.values["--root"] ? path.resolve(a.values["--root"]) : REPO_ROOT;
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
        const stack = a.values["--stack"];
        const head = readDeployment(to, "--to", stack);
        if (head.preview) {
          // The engine already compared the program with the deployed state: its ops are the diff.
          if (from !== undefined)
            throw new UsageError(`--to ${to} is a \`pulumi preview --json\` digest, already a diff against the deployed state: drop --from`);
          const named = stack ?? head.stack;
          result = diffPreview(head.preview, { table: loadReplaceTable(), headLabel: path.basename(to), ...(named ? { stack: named } : {}) });
        } else {
          if (from === undefined) throw new UsageError("--from and --to go together (only a preview digest as --to needs no --from)");
          const base = readDeployment(from, "--from", stack);
          // Without --stack the two documents must at least be plans of the same stack.
          const [fromStack, toStack] = [stackOfPlan(base.deployment), stackOfPlan(head.deployment)];
          if (stack === undefined && fromStack && toStack && fromStack !== toStack)
            throw new InputError(`--from ${displayPath(from)} is a plan of stack "${fromStack}" but --to ${displayPath(to)} is one of "${toStack}"`);
          result = diffDeployments({
            base: base.deployment,
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
        const stack = resolveStack(a.positionals[0], knownStacks(root));
        const ref = a.values["--base"];
        if (ref === undefined) throw new UsageError("<stack> needs --base <git-ref> (or use --from/--to)");
        try {
          resolveRevision(root, ref);
        } catch (err) {
          throw new UsageError(`--base ${(err as Error).message}`);
        }
        result = await diffAgainstRevision(stack, ref, root);
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
      process.stderr.write(`platform diff: ${errorText(err)}\n`);
      return 2;
    }
    const text = format === "json" ? renderJson(result) : format === "md" ? renderMarkdown(result) : renderText(result);
    emit(text, out);
    return failOnDanger && result.dangers.length > 0 ? 1 : 0;
  },
};
