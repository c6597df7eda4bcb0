import * as fs from "fs";
import * as path from "path";
import { parseAllowedAccountIds } from "../../infra/config";
import { REGION_AZ_COUNT } from "../../infra/config/regions";
import { compareStacks, STACK_ORDER, stackFileName } from "../../infra/stacks";
import { parseDeploymentDocument } from "../cost";
import type { DeploymentDocument } from "../cost/types";
import { listStackFiles, readStackFile, REPO_ROOT, stackConfigPath } from "../evaluate/stack-config";
import type { Command } from "../main";
import { displayPath, emit, errorText, FlagDef, parseCommandArgs, resolveStack, SHARED_FLAGS } from "../contract";
import { readStackInputFor } from "../input";
import { oneOf, UsageError } from "../plan/args";
import { checkQuotas, PreflightReport } from "../preflight/check";
import { countStack, Location } from "../preflight/count";
import { parseRaisedQuotas, QuotaFileError, RaisedQuotas, shippedQuotaTable } from "../preflight/quota-table";
import { PreflightFormat, renderReport } from "../preflight/render";

export const DEFAULT_QUOTAS_FILE = "environments/quotas.yml";

const USAGE = `Usage: platform preflight [--stacks a,b,...] [--plans DIR] [--quotas FILE] [--format text|json] [--out FILE]

Checks, before anything is deployed, that the stacks fit their accounts' AWS service quotas.
Stacks are grouped by account (aws:allowedAccountIds of each plan's provider, else of
environments/Pulumi.<stack>.yaml; stacks without one are assumed to share one account, with a
warning) and Region; every quota-relevant count of their plans at maximum scale (autoscaling
maxima, rolling-deployment surge, Aurora readers at their maximum) is summed per account, Region
and subject, plus each Region's default VPC, and compared with AWS's default quotas
(cli/preflight/quotas.json) or the raised values in the quotas file. See docs/preflight.md.

  --stacks LIST   comma-separated stacks; default every stack (${STACK_ORDER.join(", ")}).
                  Only these stacks are counted: leave none out that shares their accounts
  --plans DIR     read DIR/<stack>.json (\`platform plan --all\` writes .plans/) instead of planning
                  the stacks now; also --plan-dir
  --quotas FILE   raised quota values; default ${DEFAULT_QUOTAS_FILE} (optional when absent)
  --format F      text (default) or json
  --out FILE      write the report to FILE (only when the command succeeds or finds an overrun)

Exit codes: 0 every quota fits; 1 a quota is exceeded (each named with its code, account,
Region, stacks, counts and how to raise it); 2 usage, input or planning error.`;

export const FLAGS: readonly FlagDef[] = [
  { ...SHARED_FLAGS.stacks, help: "the stacks to count; default every stack" },
  { flag: "--plans", value: "DIR", help: "read DIR/<stack>.json instead of planning" },
  { flag: "--plan-dir", value: "DIR", help: "the same as --plans" },
  { flag: "--quotas", value: "FILE", help: "raised quota values" },
  { ...SHARED_FLAGS.format, help: "text (default) or json" },
  SHARED_FLAGS.out,
];

interface Args {
  readonly stacks: readonly string[];
  readonly plans?: string;
  readonly quotas: string;
  readonly quotasExplicit: boolean;
  readonly format: PreflightFormat;
  readonly out?: string;
}

export function parsePreflightArgs(argv: readonly string[]): Args {
  const a = parseCommandArgs(argv, FLAGS);
  if (a.positionals.length > 0) throw new UsageError(`unexpected argument "${a.positionals[0]}" (name stacks with --stacks)`);
  if (a.values["--plans"] !== undefined && a.values["--plan-dir"] !== undefined) throw new UsageError("Only one of --plans and --plan-dir can be given");
  const plans = a.values["--plans"] ?? a.values["--plan-dir"];
  if (plans !== undefined && !fs.existsSync(plans)) throw new UsageError(`--plans ${plans}: no such directory`);
  const known = new Set<string>([...STACK_ORDER, ...listStackFiles()]);
  if (plans) for (const f of fs.readdirSync(plans)) if (f.endsWith(".json")) known.add(f.slice(0, -5));
  let stacks: string[];
  if (a.values["--stacks"] !== undefined) {
    stacks = a.values["--stacks"].split(",").map((s) => s.trim()).filter((s) => s !== "");
    if (stacks.length === 0) throw new UsageError("--stacks names no stack");
    for (const s of stacks) resolveStack(s, [...known].sort(compareStacks));
  } else if (plans) {
    stacks = fs.readdirSync(plans).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5));
    if (stacks.length === 0) throw new UsageError(`--plans ${plans} holds no <stack>.json`);
  } else stacks = [...STACK_ORDER];
  return {
    stacks: [...new Set(stacks)].sort(compareStacks),
    ...(plans !== undefined ? { plans } : {}),
    quotas: a.values["--quotas"] ?? path.join(REPO_ROOT, DEFAULT_QUOTAS_FILE),
    quotasExplicit: a.values["--quotas"] !== undefined,
    format: oneOf("--format", a.values["--format"], ["text", "json"] as const, "text"),
    ...(a.values["--out"] !== undefined ? { out: a.values["--out"] } : {}),
  };
}

/** Reads and validates the quotas file; an absent default file means "no raised quotas". */
export function loadRaisedQuotas(file: string, explicit: boolean): RaisedQuotas {
  if (!fs.existsSync(file)) {
    if (explicit) throw new UsageError(`--quotas ${file}: file not found`);
    return {};
  }
  const label = displayPath(file);
  return parseRaisedQuotas(fs.readFileSync(file, "utf8"), label, shippedQuotaTable(), Object.keys(REGION_AZ_COUNT));
}

/**
 * The stack's account and Region from its config file, for plans whose provider does not say.
 * Invalid ids are an input error (exit 2), as they are for the program.
 */
function configLocation(stack: string): Location {
  if (!fs.existsSync(stackConfigPath(stack))) return {};
  const config = readStackFile(stack).config;
  const raw = config["aws:allowedAccountIds"];
  const { ids, problems } = parseAllowedAccountIds(raw === undefined ? undefined : JSON.stringify(raw), stackFileName(stack));
  if (problems.length > 0) {
    const p = problems[0];
    throw new QuotaFileError(`${stackFileName(stack)}: ${p.key}: received ${JSON.stringify(p.received)}; allowed: ${p.allowed}; fix: ${p.fix}`);
  }
  const region = typeof config["aws:region"] === "string" ? config["aws:region"] : undefined;
  return { ...(ids ? { accounts: ids } : {}), ...(region ? { region } : {}) };
}

function readPlanFile(dir: string, stack: string): DeploymentDocument {
  const file = path.join(dir, `${stack}.json`);
  if (!fs.existsSync(file)) throw new UsageError(`--plans ${dir}: no ${stack}.json (run \`npx platform plan --all\`, or leave ${stack} out of --stacks)`);
  // Any plan format (offline plan, stack export, preview digest with --show-sames); dir/prod.json
  // holding dev's plan is refused.
  return parseDeploymentDocument(readStackInputFor(file, stack, {}, "--plans").deployment, displayPath(file));
}

async function planAll(stacks: readonly string[], log: (line: string) => void): Promise<Map<string, DeploymentDocument>> {
  // Loaded lazily: planning forks workers that load the whole program; --plans needs none of it.
  const { planStacksSettled, isStackPlan } = await import("../plan/planner");
  const results = await planStacksSettled(stacks, {
    onEvent: (e) => {
      if (e.kind === "done") log(`planned ${e.stack}: ${e.plan.deployment.deployment.resources?.length ?? 0} resources`);
    },
  });
  const out = new Map<string, DeploymentDocument>();
  const failures: string[] = [];
  for (const stack of stacks) {
    const r = results.get(stack);
    if (r && isStackPlan(r)) out.set(stack, parseDeploymentDocument(r.deployment, `plan of ${stack}`));
    else failures.push(`${stack}: ${r ? r.message : "not planned"}`);
  }
  if (failures.length > 0) throw new Error(`planning failed:\n${failures.join("\n")}`);
  return out;
}

/** Plans (or reads) the stacks and checks them; the testable core of the command. */
export async function runPreflight(args: Args, log: (line: string) => void = () => undefined): Promise<{ report: PreflightReport; output: string }> {
  const raised = loadRaisedQuotas(args.quotas, args.quotasExplicit);
  const fallbacks = new Map(args.stacks.map((s) => [s, configLocation(s)]));
  const docs = args.plans ? new Map(args.stacks.map((s) => [s, readPlanFile(args.plans!, s)])) : await planAll(args.stacks, log);
  const counts = args.stacks.map((s) => countStack(docs.get(s)!, s, fallbacks.get(s)));
  const report = checkQuotas(counts, shippedQuotaTable(), raised);
  return { report, output: renderReport(report, args.stacks, args.format) };
}

export const command: Command = {
  summary: "Check the stacks against their accounts' AWS service quotas (per account and Region)",
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const started = Date.now();
    try {
      const args = parsePreflightArgs(argv);
      const { report, output } = await runPreflight(args, (line) => process.stderr.write(`platform preflight: ${line}\n`));
      emit(output, args.out);
      process.stderr.write(`platform preflight: ${args.stacks.length} stack(s), exit ${report.ok ? 0 : 1}, ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      return report.ok ? 0 : 1;
    } catch (e) {
      process.stderr.write(`platform preflight: ${errorText(e)}\n${e instanceof UsageError ? `\n${USAGE}\n` : ""}`);
      return 2;
    }
  },
};
