import * as fs from "fs";
import * as path from "path";
import { engineConfigFor, REPO_ROOT, stackConfigPath } from "../evaluate/stack-config";
import type { ResourceOptionsByUrn } from "../plan/deployment";
import { AnalyzerInfo, AnalyzerResource, Diagnostic, PolicyPackSession, StackContext } from "./analyzer";
import {
  PolicyConfigError,
  PolicyInfo,
  PolicyPackConfig,
  reconcilePolicyPackConfig,
  unknownPolicyNames,
} from "./config";
import { DeploymentDocument, ResourceV3, liveResources, parseUrn } from "./deployment";
import { toAnalyzerProperties } from "./properties";

/**
 * Evaluates a deployment document against a policy pack through the analyzer protocol, in the
 * order the engine uses: Handshake (tolerated if unimplemented), GetAnalyzerInfo, Configure with the
 * reconciled config, ConfigureStack, Analyze once per resource with its inputs, then AnalyzeStack
 * once with every resource's outputs, parent, dependencies and property dependencies.
 */

/** The repository's policy pack: its TypeScript sources, config and PulumiPolicy.yaml. */
export const POLICY_PACK_DIR = path.join(REPO_ROOT, "policies");

/**
 * The directory to start the pack from. The Pulumi CLI loads policies/ through ts-node with type
 * checking (run-policy-pack registers it with typeCheck: true), several seconds per start; the same
 * pack compiled by `npm ci` (dist/policies, tsconfig.build.json) loads in a fraction of that, and
 * ts-node ignores .js files. Used only while dist/ is at least as new as every source (bin/dist.js),
 * so an edited policy is always the one that runs.
 */
export function runnablePackDir(root: string = REPO_ROOT): string {
  if (process.env.PLATFORM_FROM_SOURCE === "1") return path.join(root, "policies");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { distState } = require(path.join(root, "bin", "dist.js")) as { distState(root: string): { state: string } };
  return distState(root).state === "fresh" ? path.join(root, "dist", "policies") : path.join(root, "policies");
}

/** policies/config/<stack>.json, the per-environment enforcement. */
export function policyConfigPath(stack: string): string {
  return path.join(POLICY_PACK_DIR, "config", `${stack}.json`);
}

export type ViolationLevel = "mandatory" | "advisory";

export interface Violation {
  readonly policy: string;
  readonly level: ViolationLevel;
  /** The resource in violation; absent when the policy reported against the whole stack. */
  readonly urn?: string;
  /** The pack's violation message (without the description the SDK prefixes). */
  readonly message: string;
  readonly description: string;
  readonly severity?: PolicyInfo["severity"];
}

export interface CheckResult {
  readonly policyPack: { readonly name: string; readonly version: string };
  readonly policies: readonly PolicyInfo[];
  /** The config the pack was configured with (defaults, pack config and file reconciled). */
  readonly config: PolicyPackConfig;
  readonly violations: readonly Violation[];
  readonly resourceCount: number;
}

export interface CheckOptions {
  readonly stack: StackContext;
  /** Parsed `--policy-pack-config` file, if any. */
  readonly policyConfig?: PolicyPackConfig;
  /** An already started pack to reuse (tests keep one per file); otherwise one is started and stopped. */
  readonly session?: PolicyPackSession;
  readonly packDir?: string;
  /** Max Analyze calls in flight. */
  readonly concurrency?: number;
}

function providerUrn(ref: string | undefined): string | undefined {
  if (!ref) return undefined;
  const i = ref.lastIndexOf("::");
  return i > 0 ? ref.slice(0, i) : ref;
}

/** Builds the analyzer view of each live resource, resolving provider references within the document. */
export function toAnalyzerResources(
  doc: DeploymentDocument,
  which: "inputs" | "outputs",
): AnalyzerResource[] {
  const live = liveResources(doc);
  const byUrn = new Map<string, ResourceV3>(live.map((r) => [r.urn, r]));
  return live.map((r) => {
    const provUrn = providerUrn(r.provider);
    const prov = provUrn ? byUrn.get(provUrn) : undefined;
    const props = which === "inputs" ? r.inputs : (r.outputs ?? r.inputs);
    return {
      urn: r.urn,
      type: r.type,
      name: parseUrn(r.urn).name,
      properties: toAnalyzerProperties(props),
      options: {
        protect: r.protect ?? false,
        ignoreChanges: r.ignoreChanges ?? [],
        ...(r.deleteBeforeReplace !== undefined ? { deleteBeforeReplace: r.deleteBeforeReplace } : {}),
        additionalSecretOutputs: r.additionalSecretOutputs ?? [],
        aliases: r.aliases ?? [],
        ...(r.customTimeouts ? { customTimeouts: r.customTimeouts } : {}),
        ...(r.parent ? { parent: r.parent } : {}),
      },
      ...(prov
        ? {
            provider: {
              urn: prov.urn,
              type: prov.type,
              name: parseUrn(prov.urn).name,
              // The engine sends the provider's inputs (its configuration, e.g. defaultTags).
              properties: toAnalyzerProperties(prov.inputs),
            },
          }
        : {}),
      ...(which === "outputs"
        ? {
            ...(r.parent ? { parent: r.parent } : {}),
            dependencies: r.dependencies ?? [],
            propertyDependencies: r.propertyDependencies ?? {},
          }
        : {}),
    };
  });
}

/** `<description>\n<message>` → `<message>`; the SDK prefixes the description to string violations. */
export function violationMessage(d: Diagnostic): string {
  const prefix = `${d.description}\n`;
  return d.description !== "" && d.message.startsWith(prefix) ? d.message.slice(prefix.length) : d.message;
}

export function toViolations(diagnostics: readonly Diagnostic[]): Violation[] {
  const seen = new Set<string>();
  const out: Violation[] = [];
  for (const d of diagnostics) {
    const v: Violation = {
      policy: d.policyName,
      // The server already downgrades remediate to mandatory for violations; disabled never reports.
      level: d.enforcementLevel === "advisory" ? "advisory" : "mandatory",
      ...(d.urn ? { urn: d.urn } : {}),
      message: violationMessage(d),
      description: d.description,
      ...(d.severity ? { severity: d.severity } : {}),
    };
    const key = `${v.policy}\u0000${v.level}\u0000${v.urn ?? ""}\u0000${v.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(v);
  }
  return out;
}

/** Stable report order: mandatory first, then by policy, resource and message. */
export function sortViolations(vs: readonly Violation[]): Violation[] {
  const rank = (v: Violation) => (v.level === "mandatory" ? 0 : 1);
  return [...vs].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      a.policy.localeCompare(b.policy) ||
      (a.urn ?? "").localeCompare(b.urn ?? "") ||
      a.message.localeCompare(b.message),
  );
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return results;
}

/** Reconciles the config with the pack's metadata; throws on schema errors or unknown policy names. */
export function configureFor(info: AnalyzerInfo, policyConfig: PolicyPackConfig | undefined): PolicyPackConfig {
  const unknown = policyConfig ? unknownPolicyNames(info.policies, policyConfig) : [];
  if (unknown.length > 0) {
    throw new PolicyConfigError(
      `Policy config names policies that ${info.name}@${info.version} does not define: ${unknown.join(", ")}`,
    );
  }
  const { config, errors } = reconcilePolicyPackConfig(info.policies, info.initialConfig, policyConfig);
  if (errors.length > 0) {
    throw new PolicyConfigError(`validating policy config: ${info.name} ${info.version}\n  ${errors.join("\n  ")}`);
  }
  return config;
}

export async function runPolicyCheck(doc: DeploymentDocument, options: CheckOptions): Promise<CheckResult> {
  const packDir = options.packDir ?? runnablePackDir();
  const session = options.session ?? (await PolicyPackSession.start({ packDir }));
  try {
    await session.handshake();
    const info = await session.getAnalyzerInfo();
    const config = configureFor(info, options.policyConfig);
    await session.configure(config);
    await session.configureStack(options.stack);

    const inputs = toAnalyzerResources(doc, "inputs");
    // Like the engine, attribute a resource policy's violation to the resource being analyzed.
    const perResource = await mapLimit(inputs, options.concurrency ?? 8, async (r) =>
      (await session.analyze(r)).map((d) => (d.urn ? d : { ...d, urn: r.urn })),
    );
    const stackDiags = await session.analyzeStack(toAnalyzerResources(doc, "outputs"));
    const violations = sortViolations(toViolations([...perResource.flat(), ...stackDiags]));
    return {
      policyPack: { name: info.name, version: info.version },
      policies: info.policies,
      config,
      violations,
      resourceCount: inputs.length,
    };
  } finally {
    if (!options.session) await session.close();
  }
}

export interface StackPlanCheckOptions {
  readonly stack: string;
  readonly policyConfig: PolicyPackConfig;
  /** Resource options the plan keeps beside the document (`StackPlan.options`). */
  readonly options?: ResourceOptionsByUrn;
  readonly session?: PolicyPackSession;
  /** Folder holding environments/Pulumi.<stack>.yaml. @default the repository */
  readonly root?: string;
}

/**
 * A stack's plan through the pack as `pulumi preview --policy-pack` would present it: the resource
 * options the deployment format has no field for are put back on their resources, and the stack is
 * configured with its project (from the URNs) and its config file. `platform check` and
 * `platform review` both check plans this way.
 */
export async function checkStackPlan(doc: DeploymentDocument, opts: StackPlanCheckOptions): Promise<CheckResult> {
  const root = opts.root ?? REPO_ROOT;
  const options = opts.options ?? {};
  const withOptions: DeploymentDocument = {
    ...doc,
    deployment: {
      ...doc.deployment,
      resources: (doc.deployment.resources ?? []).map((r) => ({ ...r, ...(options[r.urn] ?? {}) })),
    },
  };
  const first = doc.deployment.resources?.[0];
  const project = first ? parseUrn(first.urn).project : "platform";
  const config = fs.existsSync(stackConfigPath(opts.stack, root)) ? engineConfigFor(opts.stack, root) : {};
  return runPolicyCheck(withOptions, {
    ...(opts.session ? { session: opts.session } : {}),
    policyConfig: opts.policyConfig,
    stack: { stack: opts.stack, project, organization: "organization", dryRun: true, config, tags: { "pulumi:project": project } },
  });
}
