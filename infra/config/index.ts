import * as pulumi from "@pulumi/pulumi";
import { ConfigError, ConfigProblem, duplicateProblems } from "./problems";
import { DEFAULT_REGION } from "./regions";
import { z } from "zod";
import { PlatformConfig, PlatformConfigSchema, PlatformSettings, SEMANTIC_VALIDATORS, SectionName } from "./schema";
import { withoutIssues, zodIssuesToProblems } from "./zod-problems";
import { stackFileName } from "../stacks";

export { ConfigError, ConfigProblem } from "./problems";
export { PlatformConfig, PlatformConfigSchema, RESERVED_TAGS } from "./schema";

const NAMESPACE = "platform";

/**
 * Parses and validates a stack's configuration. Pure: takes the config the engine passes to the
 * program (fully qualified keys, structured values JSON-encoded, as in PULUMI_CONFIG) and either
 * returns the resolved config or throws ONE ConfigError listing every problem.
 *
 * Invariant: when this throws, the program has registered nothing, because the entry point calls
 * it before creating the provider or any component.
 */
export function parseConfig(stack: string, project: string, raw: Readonly<Record<string, string>>): PlatformConfig {
  const file = stackFileName(stack);
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const [ns, ...rest] = key.split(":");
    if (ns !== NAMESPACE) continue;
    input[rest.join(":")] = decode(value);
  }
  const region = raw["aws:region"] ?? DEFAULT_REGION;
  const accounts = parseAllowedAccountIds(raw[ALLOWED_ACCOUNT_IDS_KEY], file);

  const ctx = { stack, region, file };
  const parsed = PlatformConfigSchema.safeParse(input);
  if (parsed.success) {
    const problems = [...accounts.problems, ...SEMANTIC_VALIDATORS.flatMap((v) => v.validate(parsed.data, ctx))];
    if (problems.length > 0) throw new ConfigError(stack, problems);
    return { ...parsed.data, stack, project, region, ...(accounts.ids ? { allowedAccountIds: accounts.ids } : {}) };
  }
  // Shape errors: report them, plus the semantic problems of every section whose shape is fine,
  // so the user sees the whole list at once.
  const problems: ConfigProblem[] = [
    ...accounts.problems,
    ...zodIssuesToProblems(NAMESPACE, PlatformConfigSchema, input, parsed.error.issues, file),
  ];
  const shape = PlatformConfigSchema.shape as Record<SectionName, z.ZodType>;
  const sections: Partial<Record<SectionName, unknown>> = {};
  const valid = new Set<SectionName>();
  for (const name of Object.keys(shape) as SectionName[]) {
    // Drop the offending values (defaults fill in) and retry, so one bad field does not hide
    // the semantic problems of its siblings. Problems already reported by key are not repeated.
    let candidate: unknown = input[name];
    for (let attempt = 0; attempt < 3; attempt++) {
      const r = shape[name].safeParse(candidate);
      if (r.success) {
        sections[name] = r.data;
        valid.add(name);
        break;
      }
      candidate = withoutIssues(candidate, r.error.issues);
    }
  }
  const reported = new Set(problems.map((p) => p.key));
  for (const v of SEMANTIC_VALIDATORS) {
    if (!v.sections.every((s) => valid.has(s))) continue;
    problems.push(...v.validate(sections as PlatformSettings, ctx).filter((p) => !reported.has(p.key)));
  }
  throw new ConfigError(stack, problems);
}

/** The stack config key naming the only AWS accounts a stack may be deployed into. */
export const ALLOWED_ACCOUNT_IDS_KEY = "aws:allowedAccountIds";

/**
 * `aws:allowedAccountIds`: a non-empty list of 12-digit account ids, or not set. The program hands
 * it to its explicit provider (infra/platform.ts), which refuses to run with credentials of any
 * other account; `platform preflight` groups stacks by it to sum quotas per account.
 */
export function parseAllowedAccountIds(
  raw: string | undefined,
  file: string,
): { readonly ids?: readonly string[]; readonly problems: ConfigProblem[] } {
  if (raw === undefined) return { problems: [] };
  const value = decode(raw);
  const allowed = 'a non-empty list of 12-digit AWS account ids, each quoted as a string (e.g. ["111111111111"])';
  const bad = (fix: string) => ({ problems: [{ key: ALLOWED_ACCOUNT_IDS_KEY, received: value, allowed, fix }] });
  if (!Array.isArray(value) || value.length === 0) {
    return bad(`set ${ALLOWED_ACCOUNT_IDS_KEY} in ${file} to the list of accounts this stack deploys into, or remove it`);
  }
  const wrong = value.filter((v) => typeof v !== "string" || !/^\d{12}$/.test(v));
  if (wrong.length > 0) {
    return bad(
      `correct ${wrong.map((v) => JSON.stringify(v)).join(", ")} in ${file}: quote each id (YAML reads an unquoted id as a number and drops leading zeros)`,
    );
  }
  const dupes = duplicateProblems(ALLOWED_ACCOUNT_IDS_KEY, value as string[], "each account id once");
  if (dupes.length > 0) return { problems: dupes };
  return { ids: value as string[], problems: [] };
}

/** Structured config arrives JSON-encoded; plain strings stay strings. */
function decode(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Reads the running stack's config from the engine (or the mock runtime) and validates it. */
export function loadConfig(): PlatformConfig {
  return parseConfig(pulumi.getStack(), pulumi.getProject(), pulumi.runtime.allConfig());
}
