import { expect } from "chai";
import { DIY_ORGANIZATION, qualifyStackName } from "../../infra/stacks";

describe("stacks: qualifyStackName (the StackReference name the program reads)", () => {
  const cases: readonly [string, string, string][] = [
    // A self-managed (S3, local) backend: the only organization it accepts (pkg/backend/diy/store.go).
    ["platform/shared", DIY_ORGANIZATION, "organization/platform/shared"],
    // Pulumi Cloud: the organization the stack is deployed in.
    ["platform/shared", "acme", "acme/platform/shared"],
    // Pinned to an organization: kept as written, whatever the backend.
    ["tooling/platform/shared", "acme", "tooling/platform/shared"],
  ];
  for (const [name, org, want] of cases) {
    it(`with ${name} in organization ${org}, reads ${want}`, () => {
      expect(qualifyStackName(name, org)).to.equal(want);
    });
  }

  it("fails on a bare stack name or one with too many segments", () => {
    for (const bad of ["shared", "a/b/c/d"]) {
      expect(() => qualifyStackName(bad, "acme")).to.throw(`"${bad}" is not a stack name of the form project/stack or organization/project/stack`);
    }
  });
});
