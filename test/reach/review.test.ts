import { expect } from "chai";
import { IntentResult } from "../../cli/reach/intents";
import { report } from "../../cli/reach/render";
import { newlyBroken, reachBlock } from "../../cli/review/reach";
import { renderStackSection } from "../../cli/review/report";

/** The review's Reachability block: intents this change breaks, with the component that blocks them. */

const intent = (id: string, holds: boolean, detail?: string): IntentResult => ({
  id,
  from: { label: "ECS service hello", urn: "urn:svc", az: "ap-northeast-2a" },
  to: { label: "interface endpoint sts", urn: "urn:ep", az: "ap-northeast-2b" },
  protocol: "tcp",
  port: 443,
  expect: "allow",
  result: holds ? "allow" : "deny",
  holds,
  path: [],
  ...(detail ? { blockedBy: { urn: "urn:acl", detail } } : {}),
  why: "services reach every interface endpoint",
});

describe("platform review: Reachability", () => {
  const drop = "network ACL prod-private (prod-private-2): inbound request from ECS service hello (10.30.0.0/19) tcp 443: ports 443 denied by rule * (implicit deny: no rule matches) of prod-private";
  const base = report("prod", [intent("a", true), intent("b", false, "old")], ["prod", "shared"]);
  const head = report("prod", [intent("a", false, drop), intent("b", false, "old")], ["prod", "shared"]);

  it("lists only the intents broken by the change (broken at head, holding at base), with the blocking rule", () => {
    expect(newlyBroken({ head, base }).map((i) => i.id)).to.deep.equal(["a"]);
    expect(reachBlock({ head, base })).to.deep.equal([
      "**Reachability:** 2 of 2 traffic intents broken, 1 by this change (`platform reach prod` explains each hop).",
      "",
      `- ❌ ECS service hello (ap-northeast-2a) → interface endpoint sts (ap-northeast-2b) tcp 443 (must allow, deny): blocked at ${drop}`,
    ]);
  });

  it("says so in one line when every intent holds, and when the check itself failed", () => {
    expect(reachBlock({ head: base.summary.broken === 0 ? base : report("prod", [intent("a", true)], ["prod"]) })).to.deep.equal([
      "✅ **Reachability:** all 1 traffic intents hold (`platform reach prod`).",
    ]);
    expect(reachBlock({ error: "no plan" })).to.deep.equal(["❌ **Reachability** could not be checked: no plan"]);
  });

  it("appears in the stack's review section", () => {
    const md = renderStackSection({ stack: "prod", reach: { head, base } }, 0);
    expect(md).to.contain("**Reachability:** 2 of 2 traffic intents broken, 1 by this change");
  });
});
