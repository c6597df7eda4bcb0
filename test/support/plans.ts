import { planStacks, StackPlan } from "../../cli/plan/planner";
import { MANAGEMENT_STACK, STACK_ORDER } from "../../infra/stacks";

const cache = new Map<string, Promise<StackPlan>>();

/**
 * A shipped stack planned by `platform plan`'s planner (its own worker process), once per test
 * process: `shared` first, then the stack with its StackReference answered from shared's plan, as
 * `planStacks` does. The plan, check, runtime-load and bench suites all start from these
 * documents and the stack files do not change during a run, so a mocha worker plans each stack
 * once instead of once per suite. Callers must treat the result as read-only. (Suites that test
 * planning itself, e.g. byte-identical reruns or another root, still call planStacks.)
 */
export function shippedPlan(stack: string): Promise<StackPlan> {
  let plan = cache.get(stack);
  if (!plan) {
    plan =
      stack === MANAGEMENT_STACK
        ? planStacks([stack]).then((m) => m.get(stack)!)
        : shippedPlan(MANAGEMENT_STACK).then(async (shared) => (await planStacks([stack], { upstream: { [MANAGEMENT_STACK]: shared } })).get(stack)!);
    cache.set(stack, plan);
  }
  return plan;
}

/** shippedPlan for several stacks (by default all four), planned side by side. */
export async function shippedPlans(stacks: readonly string[] = STACK_ORDER): Promise<ReadonlyMap<string, StackPlan>> {
  return new Map(await Promise.all(stacks.map(async (s) => [s, await shippedPlan(s)] as const)));
}
