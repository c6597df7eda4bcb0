import { Evaluation, evaluate } from "../../cli/evaluate/harness";
import { engineConfigFor } from "../../cli/evaluate/stack-config";

/**
 * Evaluates a shipped stack in-process under the realistic mocks, with its real config file.
 * `stackOutputs` feeds StackReferences (take them from the upstream stack's own evaluation).
 */
export async function evaluateStack(
  stack: string,
  stackOutputs: Record<string, Record<string, unknown>> = {},
  configOverride?: (config: Record<string, string>) => Record<string, string>,
): Promise<Evaluation> {
  const base = engineConfigFor(stack);
  const config = configOverride ? configOverride(base) : base;
  const region = config["aws:region"] ?? "ap-northeast-2";
  // Re-require the program each time: it reads config when called, not when loaded.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const program = require("../../infra/index") as () => Promise<Record<string, unknown>>;
  return evaluate(program, { stack, region, config, stackOutputs });
}

/** Evaluates an arbitrary config (fully qualified keys, structured values as objects). */
export async function evaluateConfig(
  stack: string,
  config: Record<string, unknown>,
  stackOutputs: Record<string, Record<string, unknown>> = {},
): Promise<Evaluation> {
  const engine: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) engine[k] = typeof v === "string" ? v : JSON.stringify(v);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const program = require("../../infra/index") as () => Promise<Record<string, unknown>>;
  return evaluate(program, { stack, region: engine["aws:region"] ?? "ap-northeast-2", config: engine, stackOutputs });
}

let sharedOutputs: Promise<Record<string, unknown>> | undefined;

/** Stack-reference names a stack's config mentions (values shaped `org/project/stack`). */
export function stackReferenceNames(config: Record<string, string>): string[] {
  const names = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === "string" && /^[\w.-]+\/[\w.-]+\/[\w.-]+$/.test(v)) names.add(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  for (const [key, raw] of Object.entries(config)) {
    if (!key.startsWith("platform:")) continue;
    try {
      walk(JSON.parse(raw));
    } catch {
      walk(raw);
    }
  }
  return [...names];
}

/**
 * Evaluates a shipped stack the way it deploys: `shared` first (its own mocked run), then the
 * stack with its StackReferences answered from shared's real outputs.
 */
export async function evaluateShipped(stack: string): Promise<Evaluation> {
  if (stack === "shared") return evaluateStack("shared");
  sharedOutputs ??= evaluateStack("shared").then((ev) => ev.outputs);
  const outputs = await sharedOutputs;
  const refs: Record<string, Record<string, unknown>> = {};
  for (const name of stackReferenceNames(engineConfigFor(stack))) refs[name] = outputs;
  return evaluateStack(stack, refs);
}
