import * as fs from "fs";
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
  stackOfDeployment,
} from "../cost";
import { stackConfigPath } from "../evaluate/stack-config";
import { readStackInput } from "../input";
import { UsageError } from "../plan/args";
import { isShippedStack, STACK_ORDER } from "../../infra/stacks";

const USAGE = `Usage: platform cost <stack> [--plan FILE] [--base FILE] [--format text|json|md]
                     [--usage FILE]... [--region REGION] [--prices FILE] [--out FILE]

Estimate the monthly cost (730 hours a month, on-demand list prices, USD) of a stack's plan, per
resource and in total.

  <stack>           stack name (shared, dev, staging, prod); names the usage overrides in
                    environments/usage.<stack>.yml and the region fallback in
                    environments/Pulumi.<stack>.yaml
  --plan FILE       the plan: a deployment document as \`platform plan\` / \`pulumi stack export\`
                    write it. Default: plan <stack> offline now (same code as \`platform plan\`)
  --base FILE       a plan to compare against (e.g. main's): prints base -> head per resource
                    and the total change
  --format F        text (default), json, or md
  --usage FILE      extra usage file layered over cli/cost/usage.default.yml and
                    environments/usage.<stack>.yml (repeatable; the last wins)
  --region R        price region; default: the deployment's (provider input or ARNs), else
                    aws:region in environments/Pulumi.<stack>.yaml
  --prices FILE     price table to use instead of cli/cost/prices.json (same format)
  --out FILE        write the output to FILE instead of stdout

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

function parseArgs(argv: string[]): Args {
  const args: Args = { format: "text", usage: [] };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] =
      a.startsWith("--") && a.includes("=")
        ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]
        : [a, undefined];
    const take = (): string => (inline !== undefined ? inline : value(i++, flag));
    switch (flag) {
      case "--plan":
        args.plan = take();
        break;
      case "--base":
        args.base = take();
        break;
      case "--format": {
        const f = take();
        if (f !== "text" && f !== "json" && f !== "md")
          throw new UsageError(`--format must be text, json or md (got "${f}")`);
        args.format = f;
        break;
      }
      case "--usage":
        args.usage.push(take());
        break;
      case "--region":
        args.region = take();
        break;
      case "--prices":
        args.prices = take();
        break;
      case "--out":
        args.out = take();
        break;
      default:
        if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
        if (args.stack !== undefined)
          throw new UsageError(`one stack at a time (got "${args.stack}" and "${a}")`);
        args.stack = a;
    }
  }
  return args;
}

/** An offline plan, a `pulumi stack export` or a `pulumi preview --json --show-sames` digest. */
function readPlan(file: string): DeploymentDocument {
  const input = readStackInput(file);
  for (const n of input.notes) process.stderr.write(`platform cost: note: ${n}\n`);
  return parseDeploymentDocument(input.deployment, file);
}

/** Plan the stack offline now (and its upstream stacks), as `platform plan <stack>` would. */
async function planNow(stack: string): Promise<DeploymentDocument> {
  if (!isShippedStack(stack) && !fs.existsSync(stackConfigPath(stack))) {
    throw new UsageError(
      `unknown stack "${stack}": no environments/Pulumi.${stack}.yaml (shipped stacks: ${STACK_ORDER.join(", ")})`,
    );
  }
  // Loaded lazily: planning forks workers that load the whole program; --plan needs none of it.
  const { planStack } = await import("../plan/planner");
  const plan = await planStack(stack);
  return parseDeploymentDocument(plan.deployment, `plan of ${stack}`);
}

async function run(argv: string[]): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (!args.stack) throw new UsageError("missing <stack>");
    const head = args.plan ? readPlan(args.plan) : await planNow(args.stack);
    const planStack = stackOfDeployment(head);
    if (planStack && planStack !== args.stack) {
      process.stderr.write(
        `platform cost: warning: ${args.plan} is a plan of stack "${planStack}", not "${args.stack}"\n`,
      );
    }
    const opts = { region: args.region, usage: args.usage, prices: loadPriceTable(args.prices) };
    const { report: headReport, region } = estimateStack(head, args.stack, opts);
    let output: string;
    if (args.base) {
      // The base is priced with the head's region so the diff shows plan changes, not a region switch.
      const base = estimateStack(readPlan(args.base), args.stack, {
        ...opts,
        region: region.region,
      });
      output = renderDiff(compareCosts(base.report, headReport), args.format);
    } else {
      output = renderReport(headReport, args.format);
    }
    if (args.format === "text") output += `Region: ${region.region} (from ${region.source})\n`;
    if (args.out) fs.writeFileSync(args.out, output);
    else process.stdout.write(output);
    return 0;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(
      `platform cost: ${message}\n${e instanceof UsageError ? `\n${USAGE}\n` : ""}`,
    );
    return 2;
  }
}

export const command: Command = {
  summary: "Monthly cost estimate of a stack's plan, per resource and in total",
  usage: USAGE,
  run,
};
