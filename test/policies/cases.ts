import { expect } from "chai";
import { Policies } from "@pulumi/policy";
import { CheckResult } from "../../cli/policy/check";
import { Fixture, checkFixture, violationsOf } from "../support/policy-harness";
import { prodFixture } from "./fixtures";

/**
 * Table-driven policy tests. Every policy of a service file must pass the compliant fixture, and
 * each case breaks one thing and asserts the policy's exact violations (level and message),
 * through the pack process and the analyzer protocol.
 */
export interface Case {
  readonly policy: string;
  /** Reads as "fails <policy> when <title>". */
  readonly title: string;
  readonly mutate: (f: Fixture) => void;
  /** Exact messages, in report order. */
  readonly messages: readonly string[];
  /** @default "mandatory" */
  readonly level?: "mandatory" | "advisory";
  /** Policy config by stack name. @default the stack policyTests is given ("prod") */
  readonly config?: string;
  readonly preview?: boolean;
  /** A fixture of its own instead of the compliant one. */
  readonly fixture?: (options: { preview?: boolean }) => Fixture;
}

export function policyTests(
  title: string,
  policies: Policies,
  cases: readonly Case[],
  /** The compliant fixture the cases mutate. @default prodFixture */
  fixture: (options: { preview?: boolean }) => Fixture = prodFixture,
  /** The stack whose policy config the compliant fixture is checked with. @default "prod" */
  stack = "prod",
): void {
  describe(title, function () {
    this.timeout(180000);
    let baseline: CheckResult;
    before(async () => {
      baseline = await checkFixture(fixture({}), { config: stack });
    });

    for (const p of policies) {
      it(`${p.name}: passes the compliant production fixture`, () => {
        expect(violationsOf(baseline, p.name)).to.deep.equal([]);
      });
    }

    for (const c of cases) {
      it(`fails ${c.policy} when ${c.title}`, async () => {
        const f = (c.fixture ?? fixture)({ preview: c.preview ?? false });
        c.mutate(f);
        const result = await checkFixture(f, { config: c.config ?? stack });
        const got = violationsOf(result, c.policy);
        expect(got.map((v) => v.message)).to.deep.equal(c.messages);
        expect(got.map((v) => v.level)).to.deep.equal(c.messages.map(() => c.level ?? "mandatory"));
      });
    }

    it("has a failing case for every policy of the file", () => {
      const covered = new Set(cases.map((c) => c.policy));
      expect(policies.map((p) => p.name).filter((n) => !covered.has(n))).to.deep.equal([]);
    });
  });
}
