import { expect } from "chai";
import * as path from "path";
import { REPO_ROOT } from "../../cli/evaluate/stack-config";
import { PolicyPackSession } from "../../cli/policy/analyzer";
import { POLICY_PACK_DIR, runnablePackDir } from "../../cli/policy/check";
import { policyPack } from "../support/policy-harness";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { distState } = require("../../bin/dist.js") as { distState(root: string): { state: string } };

/**
 * `platform check` starts dist/policies (the pack compiled by `npm ci`) when it is fresh. It must be
 * the same pack the Pulumi CLI loads from policies/: same name, version, policies, enforcement
 * levels and config schema over GetAnalyzerInfo.
 */
describe("compiled policy pack (dist/policies)", function () {
  this.timeout(180000);

  it("is what check starts while dist/ is fresh, and policies/ otherwise", () => {
    const fresh = distState(REPO_ROOT).state === "fresh";
    expect(runnablePackDir()).to.equal(fresh ? path.join(REPO_ROOT, "dist", "policies") : POLICY_PACK_DIR);
  });

  it("reports the same analyzer info as the TypeScript pack", async function () {
    if (distState(REPO_ROOT).state !== "fresh") this.skip(); // `npm run build:dist` (or npm ci) builds it
    const compiled = await PolicyPackSession.start({ packDir: path.join(REPO_ROOT, "dist", "policies") });
    try {
      const source = await policyPack();
      const [a, b] = [await source.getAnalyzerInfo(), await compiled.getAnalyzerInfo()];
      expect(b.policies.length).to.be.greaterThan(0);
      expect(b).to.deep.equal(a);
    } finally {
      await compiled.close();
    }
  });
});
