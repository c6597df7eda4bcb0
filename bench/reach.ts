import * as fs from "fs";
import * as path from "path";
import { shippedArchitecture } from "../cli/reach/architecture";
import { ReachDocument, reach } from "../cli/reach";
import { MANAGEMENT_STACK } from "../infra/stacks";

/**
 * `platform reach` beyond planning: read the plan documents, build the network model, derive and
 * evaluate every intent. Median of `reps` runs per stack, in this process (modules loaded once).
 */
export function reachTimings(dir: string, stacks: readonly string[], reps: number): Array<{ stack: string; intents: number; ms: number }> {
  const read = (s: string) => JSON.parse(fs.readFileSync(path.join(dir, `${s}.json`), "utf8")) as ReachDocument;
  return stacks.map((stack) => {
    const times: number[] = [];
    let intents = 0;
    for (let i = 0; i < reps; i++) {
      const started = process.hrtime.bigint();
      const docs = stack === MANAGEMENT_STACK ? [read(stack)] : [read(stack), read(MANAGEMENT_STACK)];
      intents = reach(shippedArchitecture(stack), docs).report.summary.intents;
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    times.sort((a, b) => a - b);
    return { stack, intents, ms: times[Math.floor(times.length / 2)] };
  });
}
