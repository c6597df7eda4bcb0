import * as fs from "fs";
import * as path from "path";
import type { Command } from "../main";
import { REPO_ROOT, stackConfigPath } from "../evaluate/stack-config";
import {
  displayPath,
  emit,
  errorText,
  FlagDef,
  InputError,
  knownStacks,
  parseCommandArgs,
  resolveStack,
  SHARED_FLAGS,
} from "../contract";
import { oneOf, UsageError } from "../plan/args";
import { Status } from "../plan/progress";
import type { ResourceOptionsByUrn } from "../plan/deployment";
import { isShippedStack } from "../../infra/stacks";
import { PolicyPackSession } from "../policy/analyzer";
import { CheckResult, checkStackPlan, POLICY_PACK_DIR, policyConfigPath, runnablePackDir } from "../policy/check";
import { PolicyConfigError, PolicyPackConfig, parsePolicyPackConfig } from "../policy/config";
import { DeploymentDocument, parseDeployment } from "../policy/deployment";
import { readStackInputFor } from "../input";
import { counts, toJson, toSarif, toText } from "../policy/report";

const FORMATS = ["text", "json", "sarif"] as const;
type Format = (typeof FORMATS)[number];

const USAGE = `Usage: platform check <stack> [--plan FILE] [--format text|json|sarif] [--policy-pack-config FILE] [--out FILE]

Runs the policy pack in policies/ over the stack's plan (or over any Pulumi deployment document
given with --plan, including a real \`pulumi stack export\`), with policies/config/<stack>.json —
the same file \`pulumi preview --policy-pack policies --policy-pack-config\` takes. The pack is
started exactly as the Pulumi CLI starts it (@pulumi/pulumi/cmd/run-policy-pack) and driven over
the analyzer gRPC protocol; \`npm ci\` compiles it to dist/policies, which is started instead of the
TypeScript while it is up to date.

  <stack>                    the stack (its policy config, its config for the stack context)
  --plan FILE                check this deployment document instead of planning <stack> now; it
                             must be a plan of <stack>
  --format F                 text (default), json or sarif
  --policy-pack-config FILE  policy config to use instead of policies/config/<stack>.json
  --out FILE                 write the report to FILE (whole, and only on success) instead of
                             stdout; with json/sarif the text summary goes to stderr
                             (--output is accepted as an alias)

Exit codes: 0 no mandatory violation, 1 at least one mandatory violation, 2 usage or evaluation error.`;

export interface CheckArgs {
  readonly stack: string;
  readonly plan?: string;
  readonly format: Format;
  readonly policyPackConfig?: string;
  readonly output?: string;
}

export { UsageError };

export const FLAGS: readonly FlagDef[] = [
  SHARED_FLAGS.plan,
  { ...SHARED_FLAGS.format, help: "text (default), json or sarif" },
  { flag: "--policy-pack-config", value: "FILE", help: "policy config instead of policies/config/<stack>.json" },
  SHARED_FLAGS.out,
  { flag: "--output", value: "FILE", help: "alias of --out" },
];

export function parseCheckArgs(argv: readonly string[]): CheckArgs {
  const a = parseCommandArgs(argv, FLAGS);
  if (a.positionals.length !== 1)
    throw new UsageError(a.positionals.length === 0 ? "missing <stack>" : `expected one stack, got ${a.positionals.join(" ")}`);
  const format = oneOf("--format", a.values["--format"], FORMATS, "text");
  if (a.values["--out"] !== undefined && a.values["--output"] !== undefined)
    throw new UsageError("Only one of --out and --output can be given (--output is an alias of --out)");
  const stack = a.positionals[0];
  // With --plan the document names its stack; the name must still be one whose policy config exists.
  const known = [...new Set([...knownStacks(), ...policyConfigStacks()])];
  if (a.values["--plan"] === undefined || a.values["--policy-pack-config"] === undefined) resolveStack(stack, known);
  const output = a.values["--out"] ?? a.values["--output"];
  return {
    stack,
    format,
    ...(a.values["--plan"] ? { plan: a.values["--plan"] } : {}),
    ...(a.values["--policy-pack-config"] ? { policyPackConfig: a.values["--policy-pack-config"] } : {}),
    ...(output ? { output } : {}),
  };
}

/** Stacks with a policies/config/<stack>.json. */
function policyConfigStacks(): string[] {
  const dir = path.join(POLICY_PACK_DIR, "config");
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)) : [];
}

function readPolicyConfig(args: CheckArgs): PolicyPackConfig {
  if (args.policyPackConfig !== undefined) {
    const file = args.policyPackConfig;
    if (!fs.existsSync(file)) throw new InputError(`--policy-pack-config ${displayPath(file)}: no such file`);
    return parsePolicyPackConfig(fs.readFileSync(file, "utf8"), displayPath(file));
  }
  const file = policyConfigPath(args.stack);
  if (!fs.existsSync(file)) {
    throw new PolicyConfigError(
      `No policy config for stack "${args.stack}": expected ${displayPath(file)} (or pass --policy-pack-config FILE)`,
    );
  }
  return parsePolicyPackConfig(fs.readFileSync(file, "utf8"), displayPath(file));
}

async function loadDeployment(
  args: CheckArgs,
  onPlan?: () => void,
): Promise<{ doc: DeploymentDocument; options: ResourceOptionsByUrn; notes?: readonly string[] }> {
  if (args.plan) {
    // An offline plan, a `pulumi stack export` or a `pulumi preview --json --show-sames` digest.
    const input = readStackInputFor(args.plan, args.stack);
    return { doc: parseDeployment(input.deployment, displayPath(args.plan)), options: input.options, notes: input.notes };
  }
  if (!isShippedStack(args.stack) && !fs.existsSync(stackConfigPath(args.stack))) {
    throw new UsageError(`"${args.stack}" has no environments/Pulumi.${args.stack}.yaml to plan; pass --plan FILE to check a deployment document`);
  }
  onPlan?.();
  const { planStack } = await import("../plan/planner");
  const plan = await planStack(args.stack);
  return { doc: parseDeployment(plan.deployment, `plan of ${args.stack}`), options: plan.options };
}

/**
 * Runs the check; returns the result and the rendered report. Tests pass an already started pack.
 * Otherwise the pack (a second process, a second or more to load) starts while the plan is made.
 */
export async function check(
  args: CheckArgs,
  run: { session?: PolicyPackSession; status?: (line: string) => void } = {},
): Promise<{ result: CheckResult; output: string; notes: readonly string[] }> {
  const policyConfig = readPolicyConfig(args);
  // A document given with --plan is read (and refused) before any process starts.
  const fromFile = args.plan ? await loadDeployment(args) : undefined;
  const starting = run.session ? undefined : PolicyPackSession.start({ packDir: runnablePackDir() });
  // An unobserved rejection would be reported before the plan's own error; it is awaited below.
  starting?.catch(() => undefined);
  let session: PolicyPackSession | undefined = run.session;
  try {
    const { doc, options, notes = [] } =
      fromFile ?? (await loadDeployment(args, () => run.status?.(`planning ${args.stack} and starting the policy pack`)));
    if (starting) {
      run.status?.(`checking ${doc.deployment.resources?.length ?? 0} resources`);
      session = await starting;
    }
    const result = await checkStackPlan(doc, { stack: args.stack, policyConfig, options, ...(session ? { session } : {}) });
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
  } finally {
    if (starting) {
      const s = session ?? (await starting.catch(() => undefined));
      await s?.close();
    }
  }

}

export const command: Command = {
  summary: "Run the policy pack over a stack's plan (or a deployment document); text, JSON or SARIF",
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    let args: CheckArgs;
    try {
      args = parseCheckArgs(argv);
    } catch (e) {
      process.stderr.write(`platform check: ${errorText(e)}\n${e instanceof UsageError ? `\n${USAGE}\n` : ""}`);
      return 2;
    }
    const status = new Status(process.stderr, "platform check");
    try {
      const { result, output, notes } = await check(args, { status: status.update });
      status.stop();
      for (const n of notes) process.stderr.write(`platform check: note: ${n}\n`);
      emit(output, args.output);
      if (args.output && args.format !== "text") process.stderr.write(toText(result, args.stack));
      return counts(result).mandatory > 0 ? 1 : 0;
    } catch (e) {
      status.stop();
      process.stderr.write(`platform check: ${errorText(e)}\n`);
      return 2;
    } finally {
      status.stop();
    }
  },
};
