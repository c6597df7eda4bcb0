import * as fs from "fs";
import * as path from "path";
import { STACK_ORDER } from "../../infra/stacks";
import type { Command } from "../main";
import { REPO_ROOT } from "../evaluate/stack-config";
import { oneOf, parseFlags, UsageError } from "../plan/args";
import { serializeDeployment } from "../plan/deployment";
import { isStackPlan, PlanFailure, planStacksSettled, StackPlan } from "../plan/planner";
import { Progress } from "../plan/progress";
import { renderPlanText } from "../plan/render";

const USAGE = `Usage: platform plan <stack>... [--out FILE] [--format text|json] [--org NAME]
       platform plan --all [--format text]

Evaluate each stack's program offline under Pulumi's mock runtime, loaded exactly as the Pulumi
CLI loads it (Pulumi.yaml, package.json main, the stack's environments/Pulumi.<stack>.yaml), one
fresh process per stack, and write its resource graph as a Pulumi deployment document (the shape \`pulumi stack
export\` writes). Stacks a stack references (StackReference) are planned first and answer it.

  <stack>...      stacks to plan (${STACK_ORDER.join(", ")})
  --all           every shipped stack, in STACK_ORDER
  --out FILE      where to write the document (one stack only); default .plans/<stack>.json
  --format F      text (default): component tree and counts per type on stdout;
                  json: the deployment document on stdout (one stack only)
  --root DIR      the project (folder with Pulumi.yaml); default: this repository
  --org NAME      the organization the program sees (pulumi.getOrganization(), which completes
                  project/stack references): your Pulumi Cloud organization; default $PULUMI_ORG,
                  else "organization", what S3 and local backends always use

Exit codes: 0 planned; 2 usage error, or a stack failed to evaluate (bad config: the message
lists every problem; no plan file is written for that stack).`;

export const PLAN_DIR = ".plans";

export function defaultPlanPath(stack: string, root: string = REPO_ROOT): string {
  return path.join(root, PLAN_DIR, `${stack}.json`);
}

function writeFileAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function relative(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith("..") ? file : rel;
}

function reportFailure(f: PlanFailure): void {
  process.stderr.write(`platform plan: stack "${f.stack}" failed to evaluate:\n${f.message}\n`);
  if (f.detail) process.stderr.write(`${f.detail}\n`);
  if (process.env.PLATFORM_PLAN_VERBOSE && f.log.length > 0) {
    process.stderr.write(`program output:\n${f.log.map((l) => `  ${l}`).join("\n")}\n`);
  }
}

/** Pulumi organization names: letters, digits, `-`, `_`, `.` (one segment of a stack name). */
export function organizationFlag(value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(value)) {
    throw new UsageError(
      `--org (or PULUMI_ORG) must be an organization name of letters, digits, "-", "_" and "." (got "${value}"); ` +
        `use the first segment of your stacks' names, e.g. "acme" for acme/platform/dev`,
    );
  }
  return value;
}

export const command: Command = {
  summary: "Evaluate stacks offline and write Pulumi deployment documents (.plans/<stack>.json)",
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    let stacks: string[];
    let out: string | undefined;
    let format: "text" | "json";
    let root = REPO_ROOT;
    let organization: string | undefined;
    try {
      const a = parseFlags(argv, { values: ["--out", "--format", "--root", "--org"], booleans: ["--all"] });
      organization = organizationFlag(a.values["--org"] ?? process.env.PULUMI_ORG);
      if (a.values["--root"]) root = path.resolve(a.values["--root"]);
      format = oneOf("--format", a.values["--format"], ["text", "json"] as const, "text");
      out = a.values["--out"];
      if (a.booleans.has("--all")) {
        if (a.positionals.length > 0) throw new UsageError("give stack names or --all, not both");
        stacks = [...STACK_ORDER];
      } else stacks = a.positionals;
      if (stacks.length === 0) throw new UsageError("name at least one stack, or --all");
      if (stacks.length > 1 && out) throw new UsageError("--out takes one stack; plan the others separately");
      if (stacks.length > 1 && format === "json") throw new UsageError("--format json prints one document; name one stack");
    } catch (err) {
      if (err instanceof UsageError) {
        process.stderr.write(`platform plan: ${err.message}\n\n${USAGE}\n`);
        return 2;
      }
      throw err;
    }

    const progress = new Progress(process.stderr, stacks.length);
    let results: Map<string, StackPlan | PlanFailure>;
    try {
      results = await planStacksSettled(stacks, { root, organization, onEvent: progress.onEvent });
    } finally {
      progress.stop();
    }

    let failed = 0;
    for (const stack of stacks) {
      const result = results.get(stack)!;
      const file = out ? path.resolve(out) : defaultPlanPath(stack, root);
      if (!isStackPlan(result)) {
        failed++;
        // A stale document from an earlier run must not pass for this run's plan.
        if (!out && fs.existsSync(file)) fs.rmSync(file);
        reportFailure(result);
        continue;
      }
      for (const line of result.log) process.stderr.write(`[${stack}] ${line}\n`);
      const text = serializeDeployment(result.deployment);
      writeFileAtomic(file, text);
      if (format === "json") process.stdout.write(text);
      else {
        process.stdout.write(
          renderPlanText(result.deployment, {
            stack,
            remoteUrns: result.remoteUrns,
            writtenTo: relative(file),
            upstream: result.upstream,
            wallMs: result.stats.wallMs,
          }),
        );
        if (stacks.length > 1) process.stdout.write("\n");
      }
    }
    return failed > 0 ? 2 : 0;
  },
};
