import { expect } from "chai";
import { scaleConfig } from "../../bench/bench";
import { parseConfig } from "../../infra/config";

/**
 * The benchmark's generated stacks must be valid config, or `npm run bench` fails before it
 * measures anything (as it did when prod's service gained a blue/green test listener: every copy
 * asked for port 8443, which config refuses).
 */
describe("benchmark scale stacks", () => {
  it("generates valid config: distinct names, paths and test listener ports", () => {
    const raw = Object.fromEntries(Object.entries(scaleConfig(3)).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
    const config = parseConfig("scale-3", "platform", raw);
    const services = config.services ?? [];
    expect(services.map((s) => [s.name, s.routing?.paths, s.deployment?.testListenerPort])).to.deep.equal([
      ["svc-001", ["/svc-001/*"], 8443],
      ["svc-002", ["/svc-002/*"], 8444],
      ["svc-003", ["/svc-003/*"], 8445],
    ]);
  });
});
