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
