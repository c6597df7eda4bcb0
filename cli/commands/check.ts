import * as fs from "fs";
import * as path from "path";
import type { Command } from "../main";
import { REPO_ROOT, stackConfigPath } from "../evaluate/stack-config";
import { UsageError } from "../plan/args";
import type { ResourceOptionsByUrn } from "../plan/deployment";
import { isShippedStack } from "../../infra/stacks";
import { AnalyzerError, PolicyPackSession } from "../policy/analyzer";
import { CheckResult, checkStackPlan, policyConfigPath } from "../policy/check";
import { PolicyConfigError, PolicyPackConfig, parsePolicyPackConfig } from "../policy/config";
import { DeploymentDocument, DeploymentError, parseDeployment } from "../policy/deployment";
import { readStackInput } from "../input";
import { counts, toJson, toSarif, toText } from "../policy/report";

const FORMATS = ["text", "json", "sarif"] as const;
type Format = (typeof FORMATS)[number];

const USAGE = `Usage: platform check <stack> [--plan FILE] [--format text|json|sarif] [--policy-pack-config FILE] [--output FILE]

Runs the policy pack in policies/ over the stack's plan (or over any Pulumi deployment document
given with --plan, including a real \`pulumi stack export\`), with policies/config/<stack>.json —
the same file \`pulumi preview --policy-pack policies --policy-pack-config\` takes. The pack is
started exactly as the Pulumi CLI starts it (@pulumi/pulumi/cmd/run-policy-pack) and driven over
the analyzer gRPC protocol.

Exit codes: 0 no mandatory violation, 1 at least one mandatory violation, 2 usage or evaluation error.`;

export interface CheckArgs {
  readonly stack: string;
  readonly plan?: string;
  readonly format: Format;
  readonly policyPackConfig?: string;
  readonly output?: string;
}

export { UsageError };

export function parseCheckArgs(argv: readonly string[]): CheckArgs {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  const known = ["--plan", "--format", "--policy-pack-config", "--output"];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith("--")) {
      const [flag, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
      if (!known.includes(flag)) throw new UsageError(`unknown option ${flag}`);
      const value = inline ?? argv[++i];
      if (value === undefined || value === "") throw new UsageError(`${flag} needs a value`);
      flags[flag] = value;
    } else {
      positional.push(a);
    }
  }
  if (positional.length !== 1) throw new UsageError(positional.length === 0 ? "missing <stack>" : `expected one stack, got ${positional.join(" ")}`);
  const format = flags["--format"] ?? "text";
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, got "${format}"`);
  return {
    stack: positional[0],
    format: format as Format,
    ...(flags["--plan"] ? { plan: flags["--plan"] } : {}),
    ...(flags["--policy-pack-config"] ? { policyPackConfig: flags["--policy-pack-config"] } : {}),
    ...(flags["--output"] ? { output: flags["--output"] } : {}),
  };
}

function readPolicyConfig(args: CheckArgs): PolicyPackConfig {
  const file = args.policyPackConfig ?? policyConfigPath(args.stack);
  if (!fs.existsSync(file)) {
    throw new PolicyConfigError(
      `No policy config for stack "${args.stack}": expected ${path.relative(process.cwd(), file)} (or pass --policy-pack-config FILE)`,
    );
  }
  return parsePolicyPackConfig(fs.readFileSync(file, "utf8"), path.relative(process.cwd(), file));
}

async function loadDeployment(
  args: CheckArgs,
): Promise<{ doc: DeploymentDocument; options: ResourceOptionsByUrn; notes?: readonly string[] }> {
  if (args.plan) {
    // An offline plan, a `pulumi stack export` or a `pulumi preview --json --show-sames` digest.
    const input = readStackInput(args.plan);
    return { doc: parseDeployment(input.deployment, args.plan), options: input.options, notes: input.notes };
  }
  if (!isShippedStack(args.stack)) {
    throw new UsageError(`"${args.stack}" is not a shipped stack (see infra/stacks.ts); pass --plan FILE to check a deployment document`);
  }
  const { planStack } = await import("../plan/planner");
  const plan = await planStack(args.stack);
  return { doc: parseDeployment(plan.deployment, `plan of ${args.stack}`), options: plan.options };
}

/** Runs the check; returns the result and the rendered report. Tests pass an already started pack. */
export async function check(
  args: CheckArgs,
  run: { session?: PolicyPackSession } = {},
): Promise<{ result: CheckResult; output: string; notes: readonly string[] }> {
  const policyConfig = readPolicyConfig(args);
  const { doc, options, notes = [] } = await loadDeployment(args);
  const result = await checkStackPlan(doc, { stack: args.stack, policyConfig, options, ...(run.session ? { session: run.session } : {}) });
  const sourcePositions: Record<string, string> = {};
  for (const r of doc.deployment.resources ?? []) if (r.sourcePosition) sourcePositions[r.urn] = r.sourcePosition;
  const anchor = path.relative(REPO_ROOT, stackConfigPath(args.stack));
  const output =
    args.format === "json"
      ? JSON.stringify(toJson(result, args.stack), null, 2) + "\n"
      : args.format === "sarif"
        ? JSON.stringify(toSarif(result, { stack: args.stack, anchorFile: anchor, sourcePositions }), null, 2) + "\n"
        : toText(result, args.stack);
  return { result, output, notes };
}

export const command: Command = {
  summary: "Run the policy pack over a stack's plan (or a deployment document); text, JSON or SARIF",
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    let args: CheckArgs;
    try {
      args = parseCheckArgs(argv);
    } catch (e) {
      process.stderr.write(`platform check: ${(e as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    try {
      const { result, output, notes } = await check(args);
      for (const n of notes) process.stderr.write(`platform check: note: ${n}\n`);
      if (args.output) fs.writeFileSync(args.output, output);
      else process.stdout.write(output);
      if (args.output && args.format !== "text") process.stderr.write(toText(result, args.stack));
      return counts(result).mandatory > 0 ? 1 : 0;
    } catch (e) {
      const known =
        e instanceof UsageError ||
        e instanceof PolicyConfigError ||
        e instanceof DeploymentError ||
        e instanceof AnalyzerError ||
        (e as Error).name === "PlanError";
      process.stderr.write(`platform check: ${known ? (e as Error).message : ((e as Error).stack ?? String(e))}\n`);
      return 2;
    }
  },
};
