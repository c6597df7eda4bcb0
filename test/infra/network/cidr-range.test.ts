import { expect } from "chai";
import { NetworkConfigSchema, validateNetworkConfig } from "../../../infra/network/config";

/** The VPC prefix range the code enforces is the one docs and messages state: /16 to /23. */
describe("network config: VPC prefix range", () => {
  const problemsFor = (cidr: string) =>
    validateNetworkConfig(NetworkConfigSchema.parse({ cidr }), "ap-northeast-2", "environments/Pulumi.dev.yaml").filter(
      (p) => p.key === "platform:network.cidr",
    );

  for (const cidr of ["10.20.0.0/16", "10.20.0.0/20", "10.20.0.0/23"]) {
    it(`accepts ${cidr}`, () => expect(problemsFor(cidr)).to.deep.equal([]));
  }

  it("fails on a /12 stating the /16 to /23 range", () => {
    const [p] = problemsFor("10.16.0.0/12");
    expect(p.allowed).to.equal("a prefix between /16 and /23 (AWS allows /16 to /28; this subnet layout needs /23 or larger)");
  });

  it("fails on a /24 (AWS would allow it, the layout's /28 subnets do not fit)", () => {
    const [p] = problemsFor("10.20.0.0/24");
    expect(p.allowed).to.match(/^\/23 or larger: /);
  });
});
