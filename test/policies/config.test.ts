import { expect } from "chai";
import { STACK_ORDER } from "../../infra/stacks";
import { configureFor } from "../../cli/policy/check";
import { PolicyConfigError, parsePolicyPackConfig, reconcilePolicyPackConfig } from "../../cli/policy/config";
import { VERBS } from "../../policies/lib/define";
import { policyPack, stackPolicyConfig } from "../support/policy-harness";
import { ALL_POLICIES } from "./all-policies";
import { CATALOG } from "./catalog";

function category(name: string): string {
  return ALL_POLICIES.find((p) => p.name === name)?.tags?.[0] ?? "";
}

describe("policy pack metadata and per-stack enforcement", function () {
  this.timeout(120000);

  it("names every policy <service>-<resource>-<verb>-<noun> with a verb from the closed set", () => {
    const bad = ALL_POLICIES.map((p) => p.name).filter((n) => {
      const parts = n.split("-");
      return parts.length < 4 || !(VERBS as readonly string[]).includes(parts[2]);
    });
    expect(bad).to.deep.equal([]);
  });

  it("gives every policy a one-sentence description ending in a period, and a category tag", () => {
    const bad = ALL_POLICIES.filter((p) => !/^[A-Z][^\n]*\.$/.test(p.description) || !["security", "reliability", "cost", "operations"].includes(p.tags?.[0] ?? ""));
    expect(bad.map((p) => p.name)).to.deep.equal([]);
  });

  it("has no duplicate policy names", () => {
    const names = ALL_POLICIES.map((p) => p.name);
    expect(names.length).to.equal(new Set(names).size);
  });

  it("covers every guardrail the catalog marks mandatory for prod", () => {
    expect(CATALOG.length).to.be.greaterThan(100);
    // 104 and 105 are engineering rules (unknown handling, per-environment config), not resource checks.
    const mandatory = CATALOG.filter(([row, , prod]) => prod === "M" && !["104", "105"].includes(row)).map(([row]) => row);
    const covered = new Set(ALL_POLICIES.flatMap((p) => (p.tags ?? []).filter((t) => t.startsWith("catalog:")).map((t) => t.slice(8))));
    expect(mandatory.filter((id) => !covered.has(id))).to.deep.equal([]);
  });

  it("implements the cross-resource checks of section D that the issue requires as stack policies", () => {
    const stackTagged = new Set(
      ALL_POLICIES.filter((p) => "validateStack" in p).flatMap((p) => (p.tags ?? []).filter((t) => t.startsWith("catalog:X")).map((t) => t.slice(8))),
    );
    expect(["X1", "X2", "X3", "X4", "X5", "X6", "X7", "X8", "X11", "X13"].filter((x) => !stackTagged.has(x))).to.deep.equal([]);
  });

  for (const stack of STACK_ORDER) {
    it(`policies/config/${stack}.json names only real policies and validates against their config schemas`, async () => {
      const info = await (await policyPack()).getAnalyzerInfo();
      expect(() => configureFor(info, stackPolicyConfig(stack))).not.to.throw();
    });

    it(`policies/config/${stack}.json keeps every security policy mandatory`, async () => {
      const info = await (await policyPack()).getAnalyzerInfo();
      const config = configureFor(info, stackPolicyConfig(stack));
      const weakened = info.policies
        .filter((p) => category(p.name) === "security" && p.enforcementLevel === "mandatory")
        .filter((p) => config[p.name]?.enforcementLevel !== "mandatory")
        .map((p) => p.name);
      expect(weakened).to.deep.equal([]);
    });
  }

  it("policies/config/prod.json enforces every policy at its own (production) level", async () => {
    const info = await (await policyPack()).getAnalyzerInfo();
    const config = configureFor(info, stackPolicyConfig("prod"));
    const differs = info.policies.filter((p) => config[p.name]?.enforcementLevel !== p.enforcementLevel).map((p) => p.name);
    expect(differs).to.deep.equal([]);
  });

  it("dev relaxes cost and reliability rules such as multi-AZ to advisory", async () => {
    const info = await (await policyPack()).getAnalyzerInfo();
    const config = configureFor(info, stackPolicyConfig("dev"));
    expect(config["rds-cluster-require-multi-az"].enforcementLevel).to.equal("advisory");
    expect(config["ec2-natgateway-require-per-az"].enforcementLevel).to.equal("advisory");
    expect(config["cloudwatch-loggroup-configure-retention"].properties).to.deep.equal({ minimumRetentionDays: 1 });
  });
});

describe("policy pack config reconciliation (as the Pulumi CLI does it)", () => {
  const policies = [
    { name: "a-b-require-c", description: "A.", enforcementLevel: "advisory" as const, policyType: "resource" as const, configSchema: { properties: { min: { type: "integer", minimum: 1, default: 7 } } } },
    { name: "a-b-disallow-d", description: "B.", enforcementLevel: "mandatory" as const, policyType: "stack" as const },
  ];

  it("starts from each policy's level and schema defaults", () => {
    expect(reconcilePolicyPackConfig(policies, undefined, undefined)).to.deep.equal({
      config: { "a-b-require-c": { enforcementLevel: "advisory", properties: { min: 7 } }, "a-b-disallow-d": { enforcementLevel: "mandatory" } },
      errors: [],
    });
  });

  it("applies all first, then each policy's own entry over it", () => {
    const file = parsePolicyPackConfig(JSON.stringify({ all: "disabled", "a-b-require-c": { enforcementLevel: "mandatory", min: 30 } }));
    const { config } = reconcilePolicyPackConfig(policies, undefined, file);
    expect(config["a-b-require-c"]).to.deep.equal({ enforcementLevel: "mandatory", properties: { min: 30 } });
    expect(config["a-b-disallow-d"]).to.deep.equal({ enforcementLevel: "disabled" });
  });

  it("fails schema validation naming the policy and the property", () => {
    const file = parsePolicyPackConfig(JSON.stringify({ "a-b-require-c": { min: 0 } }));
    expect(reconcilePolicyPackConfig(policies, undefined, file).errors).to.deep.equal(["a-b-require-c: min: must be >= 1"]);
  });

  it("fails on an invalid enforcement level", () => {
    expect(() => parsePolicyPackConfig(JSON.stringify({ all: "strict" }))).to.throw(
      PolicyConfigError,
      'parsing enforcement level for "all": "strict" is not a valid enforcement level (use one of advisory, mandatory, remediate, disabled)',
    );
  });
});
