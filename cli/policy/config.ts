import Ajv from "ajv";

/**
 * Policy pack configuration exactly as the Pulumi CLI builds it before it calls the analyzer's
 * `Configure`: the `--policy-pack-config` file is parsed (pkg/resource/analyzer/config.go
 * `parsePolicyPackConfig`), then reconciled with the pack's metadata (`ReconcilePolicyPackConfig`):
 *
 *   1. every policy starts at its own enforcement level with its `configSchema` defaults;
 *   2. the pack's initial config (the third `PolicyPack` constructor argument) is applied;
 *   3. the file is applied: `all` first (level only), then each policy's own entry on top;
 *   4. each policy's resulting properties are validated against its `configSchema`.
 *
 * The SDK's `getConfig()` returns what `Configure` sent, so skipping step 1 here would make a pack
 * behave differently offline than under `pulumi preview --policy-pack`.
 */

export const ENFORCEMENT_LEVELS = ["advisory", "mandatory", "remediate", "disabled"] as const;
export type EnforcementLevel = (typeof ENFORCEMENT_LEVELS)[number];

export function isEnforcementLevel(v: unknown): v is EnforcementLevel {
  return typeof v === "string" && (ENFORCEMENT_LEVELS as readonly string[]).includes(v);
}

export interface PolicyConfigEntry {
  readonly enforcementLevel?: EnforcementLevel;
  readonly properties?: Readonly<Record<string, unknown>>;
}

export type PolicyPackConfig = Record<string, PolicyConfigEntry>;

export interface PolicyConfigSchema {
  readonly properties: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly required?: readonly string[];
}

/** What GetAnalyzerInfo says about one policy. */
export interface PolicyInfo {
  readonly name: string;
  readonly description: string;
  readonly enforcementLevel: EnforcementLevel;
  readonly policyType: "resource" | "stack" | "unknown";
  readonly configSchema?: PolicyConfigSchema;
  readonly severity?: "low" | "medium" | "high" | "critical";
  readonly displayName?: string;
  readonly url?: string;
  readonly remediationSteps?: string;
}

export class PolicyConfigError extends Error {}

/** Parses a `--policy-pack-config` document (JSON text). Empty text means no config. */
export function parsePolicyPackConfig(text: string, source = "policy pack config"): PolicyPackConfig {
  if (text.trim() === "") return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new PolicyConfigError(`${source}: not valid JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new PolicyConfigError(`${source}: expected a JSON object keyed by policy name (or "all")`);
  }
  const result: PolicyPackConfig = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value === "string") {
      if (!isEnforcementLevel(value)) {
        throw new PolicyConfigError(
          `${source}: parsing enforcement level for "${key}": "${value}" is not a valid enforcement level ` +
            `(use one of ${ENFORCEMENT_LEVELS.join(", ")})`,
        );
      }
      result[key] = { enforcementLevel: value };
    } else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      const { enforcementLevel, ...properties } = value as Record<string, unknown>;
      if (enforcementLevel !== undefined && !isEnforcementLevel(enforcementLevel)) {
        throw new PolicyConfigError(
          `${source}: parsing enforcement level for "${key}": ${JSON.stringify(enforcementLevel)} is not a valid ` +
            `enforcement level (use one of ${ENFORCEMENT_LEVELS.join(", ")})`,
        );
      }
      const hasProps = Object.keys(properties).length > 0;
      // The CLI drops entries that carry neither a level nor properties.
      if (enforcementLevel === undefined && !hasProps) continue;
      result[key] = {
        ...(enforcementLevel !== undefined ? { enforcementLevel } : {}),
        ...(hasProps ? { properties } : {}),
      };
    } else {
      throw new PolicyConfigError(
        `${source}: parsing "${key}": ${JSON.stringify(value)} is not a valid value; must be a string or object`,
      );
    }
  }
  return result;
}

function withDefaults(policies: readonly PolicyInfo[]): PolicyPackConfig {
  const result: PolicyPackConfig = {};
  for (const p of policies) {
    let properties: Record<string, unknown> | undefined;
    for (const [k, schema] of Object.entries(p.configSchema?.properties ?? {})) {
      if ("default" in schema) {
        properties ??= {};
        properties[k] = schema.default;
      }
    }
    result[p.name] = { enforcementLevel: p.enforcementLevel, ...(properties ? { properties } : {}) };
  }
  return result;
}

function apply(result: PolicyPackConfig, config: PolicyPackConfig): PolicyPackConfig {
  const out: PolicyPackConfig = { ...result };
  const all = config.all?.enforcementLevel;
  if (all !== undefined) {
    for (const [k, v] of Object.entries(out)) out[k] = { ...v, enforcementLevel: all };
  }
  for (const [name, given] of Object.entries(config)) {
    const current = out[name];
    const properties =
      given.properties && Object.keys(given.properties).length > 0
        ? { ...(current?.properties ?? {}), ...given.properties }
        : current?.properties;
    const enforcementLevel = given.enforcementLevel ?? current?.enforcementLevel;
    out[name] = {
      ...(enforcementLevel !== undefined ? { enforcementLevel } : {}),
      ...(properties !== undefined ? { properties } : {}),
    };
  }
  return out;
}

export interface ReconciledConfig {
  readonly config: PolicyPackConfig;
  /** Schema violations, `<policy>: <problem>`; non-empty means the CLI would refuse to run. */
  readonly errors: readonly string[];
}

export function reconcilePolicyPackConfig(
  policies: readonly PolicyInfo[],
  initialConfig: PolicyPackConfig | undefined,
  config: PolicyPackConfig | undefined,
): ReconciledConfig {
  let result = withDefaults(policies);
  if (initialConfig) result = apply(result, initialConfig);
  if (config) result = apply(result, config);

  const errors: string[] = [];
  const ajv = new Ajv({ allErrors: true, strict: false });
  for (const p of policies) {
    if (!p.configSchema) continue;
    const schema = {
      type: "object",
      ...(Object.keys(p.configSchema.properties).length > 0 ? { properties: p.configSchema.properties } : {}),
      ...(p.configSchema.required && p.configSchema.required.length > 0 ? { required: p.configSchema.required } : {}),
    };
    const validate = ajv.compile(schema);
    if (!validate(result[p.name]?.properties ?? {})) {
      for (const e of validate.errors ?? []) {
        const where = e.instancePath === "" ? "" : `${e.instancePath.slice(1).replace(/\//g, ".")}: `;
        errors.push(`${p.name}: ${where}${e.message ?? "is invalid"}`);
      }
    }
  }
  return { config: result, errors };
}

/** Policy names a config mentions that the pack does not define (typos would otherwise be ignored). */
export function unknownPolicyNames(policies: readonly PolicyInfo[], config: PolicyPackConfig): string[] {
  const names = new Set(policies.map((p) => p.name));
  return Object.keys(config).filter((k) => k !== "all" && !names.has(k)).sort();
}
