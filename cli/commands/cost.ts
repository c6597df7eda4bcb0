import type { Command } from "../main";
import {
  compareCosts,
  CostFormat,
  DeploymentDocument,
  estimateStack,
  loadPriceTable,
  parseDeploymentDocument,
  renderDiff,
  renderReport,
} from "../cost";
import {
  displayPath,
  emit,
  errorText,
  FlagDef,
  parseCommandArgs,
  resolveStack,
  SHARED_FLAGS,
} from "../contract";
import { readStackInputFor } from "../input";
import { oneOf, UsageError } from "../plan/args";
import { Status } from "../plan/progress";

const USAGE = `Usage: platform cost <stack> [--plan FILE] [--base FILE] [--format text|json|md]
                     [--usage FILE]... [--region REGION] [--prices FILE] [--out FILE]

Estimate the monthly cost (730 hours a month, on-demand list prices, USD) of a stack's plan, per
resource and in total.

  <stack>           stack name (shared, dev, staging, prod); names the usage overrides in
                    environments/usage.<stack>.yml and the region fallback in
                    environments/Pulumi.<stack>.yaml
  --plan FILE       the plan: a deployment document as \`platform plan\` / \`pulumi stack export\`
                    write it; it must be a plan of <stack>. Default: plan <stack> offline now
                    (same code as \`platform plan\`)
  --base FILE       a plan to compare against (e.g. main's): prints base -> head per resource
                    and the total change
  --format F        text (default), json, or md
  --usage FILE      extra usage file layered over cli/cost/usage.default.yml and
                    environments/usage.<stack>.yml (repeatable; the last wins)
  --region R        price region; default: the deployment's (provider input or ARNs), else
                    aws:region in environments/Pulumi.<stack>.yaml
  --prices FILE     price table to use instead of cli/cost/prices.json (same format)
  --out FILE        write the output to FILE instead of stdout (whole, and only on success)

Lines whose usage nobody supplied print "usage unknown" and count $0 ("usageKnown": false in
JSON); lines with no price for the region print "price unknown" ("priceKnown": false).

Exit codes: 0 estimate printed; 2 usage or input error.`;

interface Args {
  stack?: string;
  plan?: string;
  base?: string;
  format: CostFormat;
  usage: string[];
  region?: string;
  prices?: string;
  out?: string;
}

export const FLAGS: readonly FlagDef[] = [
  SHARED_FLAGS.plan,
  { flag: "--base", value: "FILE", help: "a plan to compare against" },
  { ...SHARED_FLAGS.format, help: "text (default), json or md" },
  { flag: "--usage", value: "FILE", repeatable: true, help: "extra usage file (repeatable; the last wins)" },
  { flag: "--region", value: "R", help: "price region" },
  { flag: "--prices", value: "FILE", help: "price table instead of cli/cost/prices.json" },
  SHARED_FLAGS.out,
];

export function parseCostArgs(argv: readonly string[]): Args {
  const a = parseCommandArgs(argv, FLAGS);
  if (a.positionals.length === 0) throw new UsageError("missing <stack>");
  if (a.positionals.length > 1)
    throw new UsageError(`one stack at a time (got "${a.positionals[0]}" and "${a.positionals[1]}")`);
  const stack = a.positionals[0];
  // With --plan the document names its stack (checked against it below); without, it is planned.
  if (a.values["--plan"] === undefined) resolveStack(stack);
  const opt = (flag: string) => a.values[flag];
  return {
    stack,
    format: oneOf("--format", opt("--format"), ["text", "json", "md"] as const, "text"),
    usage: a.lists["--usage"] ?? [],
    ...(opt("--plan") !== undefined ? { plan: opt("--plan") } : {}),
    ...(opt("--base") !== undefined ? { base: opt("--base") } : {}),
    ...(opt("--region") !== undefined ? { region: opt("--region") } : {}),
    ...(opt("--prices") !== undefined ? { prices: opt("--prices") } : {}),
    ...(opt("--out") !== undefined ? { out: opt("--out") } : {}),
  };
}

/** An offline plan, a `pulumi stack export` or a `pulumi preview --json --show-sames` digest. */
function readPlan(file: string, flag: string, stack: string): DeploymentDocument {
  const input = readStackInputFor(file, stack, {}, flag);
  for (const n of input.notes) process.stderr.write(`platform cost: note: ${n}\n`);
  return parseDeploymentDocument(input.deployment, displayPath(file));
}

/** Plan the stack offline now (and its upstream stacks), as `platform plan <stack>` would. */
async function planNow(stack: string): Promise<DeploymentDocument> {
  // Loaded lazily: planning forks workers that load the whole program; --plan needs none of it.
  const { planStack } = await import("../plan/planner");
  const plan = await planStack(stack);
  return parseDeploymentDocument(plan.deployment, `plan of ${stack}`);
}

async function run(argv: string[]): Promise<number> {
  const status = new Status(process.stderr, "platform cost");
  try {
    const args = parseCostArgs(argv);
    const stack = args.stack!;
    if (!args.plan) status.update(`planning ${stack}`);
    const head = args.plan ? readPlan(args.plan, "--plan", stack) : await planNow(stack);
    status.stop();
    const opts = { region: args.region, usage: args.usage, prices: loadPriceTable(args.prices) };
    const { report: headReport, region } = estimateStack(head, stack, opts);
    let output: string;
    if (args.base) {
      // The base is priced with the head's region so the diff shows plan changes, not a region switch.
      const base = estimateStack(readPlan(args.base, "--base", stack), stack, {
        ...opts,
        region: region.region,
        checkUsageTargets: false,
      });
      output = renderDiff(compareCosts(base.report, headReport), args.format);
    } else {
      output = renderReport(headReport, args.format);
    }
    if (args.format === "text") output += `Region: ${region.region} (from ${region.source})\n`;
    emit(output, args.out);
    return 0;
  } catch (e) {
    status.stop();
    process.stderr.write(
      `platform cost: ${errorText(e)}\n${e instanceof UsageError ? `\n${USAGE}\n` : ""}`,
    );
    return 2;
  }
}

export const command: Command = {
  summary: "Monthly cost estimate of a stack's plan, per resource and in total",
  usage: USAGE,
  run,
};
