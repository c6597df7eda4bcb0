import { expect } from "chai";
import { ofType } from "../../../cli/evaluate/harness";
import { engineConfigFor } from "../../../cli/evaluate/stack-config";
import { ALLOWED_ACCOUNT_IDS_KEY, ConfigError, parseConfig } from "../../../infra/config";
import { STACK_ORDER } from "../../../infra/stacks";
import { evaluateShipped } from "../../support/stacks";
import { problemLines } from "./problems";

const FILE = "environments/Pulumi.dev.yaml";
const ALLOWED = 'a non-empty list of 12-digit AWS account ids, each quoted as a string (e.g. ["111111111111"])';

function withAccounts(value: unknown): Record<string, string> {
  return { ...engineConfigFor("dev"), [ALLOWED_ACCOUNT_IDS_KEY]: JSON.stringify(value) };
}

/** The shipped split: prod alone in its account, the rest in the non-prod account. */
const EXPECTED: Record<string, string[]> = {
  shared: ["111111111111"],
  dev: ["111111111111"],
  staging: ["111111111111"],
  prod: ["222222222222"],
};

describe("config: aws:allowedAccountIds", () => {
  for (const stack of STACK_ORDER) {
    it(`the shipped ${stack} stack names its account (${EXPECTED[stack].join(", ")})`, () => {
      expect(parseConfig(stack, "platform", engineConfigFor(stack)).allowedAccountIds).to.deep.equal(EXPECTED[stack]);
    });
  }

  it("prod and the management stack are in different accounts (AWS: separate production from non-production)", () => {
    const account = (s: string) => parseConfig(s, "platform", engineConfigFor(s)).allowedAccountIds;
    expect(account("prod")).to.not.deep.equal(account("shared"));
    expect(account("staging")).to.deep.equal(account("shared"));
  });

  it("without the key, a stack may deploy anywhere (allowedAccountIds undefined)", () => {
    const raw = { ...engineConfigFor("dev") };
    delete raw[ALLOWED_ACCOUNT_IDS_KEY];
    expect(parseConfig("dev", "platform", raw)).to.not.have.property("allowedAccountIds");
  });

  it("fails on an unquoted id (YAML reads it as a number)", () => {
    expect(problemLines("dev", withAccounts([111111111111]))).to.deep.equal([
      ` - aws:allowedAccountIds: received [111111111111]; allowed: ${ALLOWED}; fix: correct 111111111111 in ${FILE}: quote each id (YAML reads an unquoted id as a number and drops leading zeros)`,
    ]);
  });

  it("fails on an id that is not 12 digits", () => {
    expect(problemLines("dev", withAccounts(["12345678901"]))).to.deep.equal([
      ` - aws:allowedAccountIds: received ["12345678901"]; allowed: ${ALLOWED}; fix: correct "12345678901" in ${FILE}: quote each id (YAML reads an unquoted id as a number and drops leading zeros)`,
    ]);
  });

  it("fails on a single id not in a list, and on an empty list", () => {
    for (const value of ["111111111111", []]) {
      const raw = value === "111111111111" ? { ...engineConfigFor("dev"), [ALLOWED_ACCOUNT_IDS_KEY]: value } : withAccounts(value);
      expect(problemLines("dev", raw)).to.deep.equal([
        ` - aws:allowedAccountIds: received ${JSON.stringify(value === "111111111111" ? 111111111111 : value)}; allowed: ${ALLOWED}; fix: set aws:allowedAccountIds in ${FILE} to the list of accounts this stack deploys into, or remove it`,
      ]);
    }
  });

  it("fails on a repeated id", () => {
    expect(problemLines("dev", withAccounts(["111111111111", "111111111111"]))).to.deep.equal([
      ` - aws:allowedAccountIds: received ["111111111111","111111111111"]; allowed: each account id once; fix: remove the duplicate 111111111111`,
    ]);
  });

  it("reports an account problem together with the platform:* problems, in one error", () => {
    const raw = { ...withAccounts(["1"]), "platform:network": JSON.stringify({ cidr: "10.10.0.0/33" }) };
    expect(() => parseConfig("dev", "platform", raw))
      .to.throw(ConfigError)
      .that.satisfies((e: ConfigError) => {
        expect(e.problems.map((p) => p.key)).to.deep.equal(["aws:allowedAccountIds", "platform:network.cidr"]);
        return true;
      });
  });

  for (const stack of ["shared", "prod"]) {
    it(`the ${stack} program hands its allowed accounts to the explicit provider every resource uses`, async function () {
      this.timeout(60_000);
      const ev = await evaluateShipped(stack);
      const provider = ofType(ev, "pulumi:providers:aws").find((p) => p.name === "aws")!;
      expect(JSON.parse(provider.inputs.allowedAccountIds as string)).to.deep.equal(EXPECTED[stack]);
    });
  }
});
