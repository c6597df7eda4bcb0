import { Evaluation, evaluate } from "../../cli/evaluate/harness";
import { engineConfigFor } from "../../cli/evaluate/stack-config";
import { parseConfig } from "../../infra/config";
import { managementReference } from "../../infra/peering";
import { DIY_ORGANIZATION, MANAGEMENT_STACK } from "../../infra/stacks";

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

const shipped = new Map<string, Promise<Evaluation>>();

/**
 * Evaluates a shipped stack the way it deploys: `shared` first (its own mocked run), then the
 * stack with its StackReferences answered from shared's real outputs.
 */
export function evaluateShipped(stack: string): Promise<Evaluation> {
  // Evaluated once per test process: the shipped files do not change during a run, and the many
  // suites that read them (network, bastion, app, database, peering) share one evaluation each.
  // Callers must treat the result as read-only.
  let ev = shipped.get(stack);
  if (!ev) {
    ev = (async () => {
      if (stack === MANAGEMENT_STACK) return evaluateStack(MANAGEMENT_STACK);
      const outputs = (await evaluateShipped(MANAGEMENT_STACK)).outputs;
      const config = parseConfig(stack, "platform", engineConfigFor(stack));
      // Keyed as the program reads it: `platform/shared` completed with the mocks' organization.
      const refs = config.peering ? { [managementReference(config.peering, DIY_ORGANIZATION)]: outputs } : {};
      return evaluateStack(stack, refs);
    })();
    shipped.set(stack, ev);
  }
  return ev;
}
