import { expect } from "chai";
import {
  buildReview,
  renderStackSection,
  REVIEW_CHAR_LIMIT,
  REVIEW_MARKER,
  TRIM_LEVELS,
} from "../../cli/review/report";
import type { ReviewInputs, ReviewViolation, StackReviewInput } from "../../cli/review/types";
import { Pair, stackInput, urnOf } from "../fixtures/review/inputs";
import { ALL_SHAPES, DEV, PROD, SHARED, STAGING, StackShape } from "../fixtures/review/stack";

/**
 * The review report from plan pairs (test/fixtures/review/stack.ts), one scenario per kind of
 * change the issue names. Cost figures use the round fixture prices (prices.json there), so each
 * expected number is hours × price worked out by hand in the comments.
 *
 * Unchanged base totals: shared $43.80, dev $124.10, staging $653.35, prod $762.85 ($1,584.10).
 */

const review = (pairs: readonly Pair[], extra: Partial<ReviewInputs> = {}) =>
  buildReview({
    stacks: pairs.map(stackInput),
    baseLabel: "origin/main",
    headLabel: "working tree",
    baseRef: "origin/main",
    ...extra,
  });

/** All four stacks unchanged, except the ones given. */
function withChanges(...changed: Pair[]): Pair[] {
  return ALL_SHAPES.map(
    (s) => changed.find((c) => c.head.stack === s.stack) ?? { base: s, head: s },
  );
}

const summaryRows = (md: string) => {
  const all = md.split("\n");
  const a = all.findIndex((l) => l.startsWith("| Stack |"));
  const b = all.findIndex((l, i) => i > a && l === "");
  return all.slice(a + 2, b);
};
const section = (md: string, stack: string) => {
  const all = md.split("\n");
  const a = all.findIndex((l) => l.startsWith("<details") && l.includes(`<b>${stack}</b>`));
  const b = all.findIndex((l, i) => i > a && l === "</details>");
  return all.slice(a, b + 1);
};

const INSTANCE_CLASS: Pair = {
  base: PROD,
  head: { ...PROD, db: { ...PROD.db!, instanceClass: "db.r6g.xlarge" } },
};
const SUBNET_CIDR: Pair = {
  base: PROD,
  head: { ...PROD, subnetCidrs: { "prod-private-1": "10.30.96.0/19" } },
};
const DELETED_SERVICE: Pair = { base: DEV, head: { ...DEV, services: { api: DEV.services!.api } } };
const DELETION_PROTECTION: ReviewViolation = {
  policy: "rds-cluster-enable-deletion-protection",
  level: "mandatory",
  urn: urnOf("staging", "aws:rds/cluster:Cluster", "staging-db"),
  message: "Aurora cluster must have deletion protection enabled.",
};
const INHERITED: ReviewViolation = {
  policy: "ecs-service-configure-platform-version",
  level: "advisory",
  urn: urnOf("staging", "aws:ecs/service:Service", "staging-api"),
  message: "Service should pin platformVersion.",
};
const NEW_VIOLATION: Pair = {
  base: STAGING,
  head: { ...STAGING, db: { ...STAGING.db!, deletionProtection: false } },
  baseViolations: [INHERITED],
  headViolations: [DELETION_PROTECTION, INHERITED],
};
const COST_INCREASE: Pair = {
  base: STAGING,
  head: {
    ...STAGING,
    services: { ...STAGING.services!, api: { ...STAGING.services!.api, desiredCount: 4 } },
  },
};

describe("platform review report", () => {
  describe("a pure config change (Aurora instance class in prod)", () => {
    const r = review(withChanges(INSTANCE_CLASS));

    it("counts two in-place updates and a cost increase of 2 × 730 h × ($0.60 − $0.30) = $438.00", () => {
      expect(summaryRows(r.markdown)).to.deep.equal([
        "| shared | 0 | 0 | 0 | 0 | 0 | 0 | 0 | $43.80 → $43.80 | $0.00 |",
        "| dev | 0 | 0 | 0 | 0 | 0 | 0 | 0 | $124.10 → $124.10 | $0.00 |",
        "| staging | 0 | 0 | 0 | 0 | 0 | 0 | 0 | $653.35 → $653.35 | $0.00 |",
        "| prod | 0 | 2 | 0 | 0 | 0 | 0 | 0 | $762.85 → $1,200.85 | +$438.00 (+57%) |",
        "| **Total** | 0 | 2 | 0 | 0 | 0 | 0 | 0 | $1,584.10 → $2,022.10 | +$438.00 (+28%) |",
      ]);
      expect(r.exitCode).to.equal(0);
    });

    it("shows the prod section with the property change and the cost rows, collapsed (nothing dangerous)", () => {
      expect(section(r.markdown, "prod")).to.deep.equal([
        "<details><summary><b>prod</b> · 2 to update · +$438.00/month</summary>",
        "",
        "✅ No policy violations (`platform-policies@0.1.0`).",
        "",
        "**Changes** (2 resources)",
        "",
        "```diff",
        "~ aws:rds/clusterInstance:ClusterInstance  prod-db-1",
        '      ~ instanceClass: "db.r6g.large" => "db.r6g.xlarge"',
        "~ aws:rds/clusterInstance:ClusterInstance  prod-db-2",
        '      ~ instanceClass: "db.r6g.large" => "db.r6g.xlarge"',
        "```",
        "",
        "**Cost**: $762.85 → $1,200.85 a month (+$438.00, +57%)",
        "",
        "|  | Resource | Type | Base | Head | Δ / month |",
        "| --- | --- | --- | ---: | ---: | ---: |",
        "| ~ | `prod-db-1` | `aws:rds/clusterInstance:ClusterInstance` | $219.00 | $438.00 | +$219.00 |",
        "| ~ | `prod-db-2` | `aws:rds/clusterInstance:ClusterInstance` | $219.00 | $438.00 | +$219.00 |",
        "",
        "</details>",
      ]);
    });

    it("marks the instance class in the parity table as changed in prod only", () => {
      expect(r.markdown).to.include(
        "| Aurora: Instances | `db` | – | 1 × db.t4g.medium | 2 × db.r6g.large | 2 × db.r6g.large → **2 × db.r6g.xlarge** |",
      );
    });

    it("says the cost sentence Infracost-style for all stacks together", () => {
      expect(r.markdown).to.include(
        "💰 **Monthly cost will increase by $438.00 (+28%) 📈**: $1,584.10 → $2,022.10 for 4 stacks.",
      );
    });
  });

  describe("a replacing change (a private subnet's CIDR in prod)", () => {
    const r = review(withChanges(SUBNET_CIDR));

    it("counts the subnet and its route table association as replaced, the services that use it as updated, one dangerous change", () => {
      expect(summaryRows(r.markdown)[3]).to.equal(
        "| prod | 0 | 2 | 2 | 0 | ⚠️ 1 | 0 | 0 | $762.85 → $762.85 | $0.00 |",
      );
      expect(r.markdown).to.include(
        "⚠️ **1 dangerous change** (replace or delete of stateful or protected resources) in `prod`.",
      );
    });

    it("opens the prod section and lists the dangerous replace before the change list", () => {
      const s = section(r.markdown, "prod");
      expect(s[0]).to.equal(
        "<details open><summary><b>prod</b> · 2 to update, 2 to replace · ⚠️ 1 dangerous change</summary>",
      );
      expect(s[2]).to.equal("**⚠️ Dangerous changes** (1)");
      expect(s[4]).to.match(
        /^- \*\*replace\*\* `aws:ec2\/subnet:Subnet` `prod-private-1`: replace of subnet.*\(changed cidrBlock\)$/,
      );
      const diff = s.slice(s.indexOf("```diff") + 1, s.lastIndexOf("```"));
      expect(diff.filter((l) => !l.startsWith(" "))).to.deep.equal([
        "! aws:ec2/routeTableAssociation:RouteTableAssociation  prod-private-1  (replace: subnetId)",
        "! aws:ec2/subnet:Subnet  prod-private-1  (replace: cidrBlock)",
        "~ aws:ecs/service:Service  prod-api",
        "~ aws:ecs/service:Service  prod-worker",
      ]);
      expect(diff).to.include(
        '      ~ cidrBlock: "10.30.0.0/19" => "10.30.96.0/19"  [forces replacement]',
      );
    });
  });

  describe("a deleted service (worker in dev)", () => {
    const r = review(withChanges(DELETED_SERVICE));

    it("counts five deletes, the log group's delete as dangerous, and 730 h × (0.25 × $0.05 + 0.5 × $0.005) = $10.95 less", () => {
      expect(summaryRows(r.markdown)[1]).to.equal(
        "| dev | 0 | 0 | 0 | 5 | ⚠️ 1 | 0 | 0 | $124.10 → $113.15 | -$10.95 (-9%) |",
      );
      const s = section(r.markdown, "dev");
      const diff = s.slice(s.indexOf("```diff") + 1, s.lastIndexOf("```"));
      expect(diff).to.deep.equal([
        "- aws:cloudwatch/logGroup:LogGroup  dev-worker-logs",
        "- aws:ec2/securityGroup:SecurityGroup  dev-worker",
        "- aws:ecs/service:Service  dev-worker",
        "- aws:ecs/taskDefinition:TaskDefinition  dev-worker",
        "- aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule  dev-db-from-worker",
      ]);
      expect(s).to.include(
        "| - | `dev-worker` | `aws:ecs/service:Service` | $10.95 | $0.00 | -$10.95 |",
      );
    });

    it("shows in the parity table which services dev keeps and the worker's settings going away", () => {
      expect(r.markdown).to.include(
        "| ECS: Services |   | – | api, worker → **api** | api, worker | api, worker |",
      );
      expect(r.markdown).to.include("| ECS: Desired count | `worker` | – | 1 → **–** | 1 | 2 |");
    });

    it("drops the service from the diagram", () => {
      expect(r.markdown).not.to.include("dev_svc_worker");
      expect(r.markdown).to.include("staging_svc_worker");
    });
  });

  describe("a new policy violation (staging turns Aurora deletion protection off)", () => {
    const r = review(withChanges(NEW_VIOLATION));

    it("fails with exit 1 and says so at the top", () => {
      expect(r.exitCode).to.equal(1);
      expect(r.markdown).to.include(
        "❌ **1 mandatory policy violation** in `staging`: this check fails until it is fixed.",
      );
      expect(summaryRows(r.markdown)[2]).to.equal(
        "| staging | 0 | 1 | 0 | 0 | ⚠️ 1 | ❌ 1 | 1 | $653.35 → $653.35 | $0.00 |",
      );
    });

    it("lists the violation marked new, and the inherited advisory one unmarked", () => {
      const s = section(r.markdown, "staging");
      const start = s.indexOf(
        "**Policy violations** (`platform-policies@0.1.0`): 1 mandatory (1 new), 1 advisory",
      );
      expect(s.slice(start, start + 6)).to.deep.equal([
        "**Policy violations** (`platform-policies@0.1.0`): 1 mandatory (1 new), 1 advisory",
        "",
        "| Level | Policy | Resource | Message |",
        "| --- | --- | --- | --- |",
        "| ❌ mandatory | `rds-cluster-enable-deletion-protection` | `staging-db` 🆕 | Aurora cluster must have deletion protection enabled. |",
        "| ⚠️ advisory | `ecs-service-configure-platform-version` | `staging-api` | Service should pin platformVersion. |",
      ]);
    });

    it("shows in the parity table that staging lost the deletion protection prod has", () => {
      expect(r.markdown).to.include(
        "| Aurora: Deletion protection | `db` | – | off | ⚠️ on → **off** | on |",
      );
    });
  });

  describe("a cost increase (staging api from 2 to 4 tasks)", () => {
    const r = review(withChanges(COST_INCREASE));

    it("adds 2 tasks × 730 h × (0.5 vCPU × $0.05 + 1 GB × $0.005) = $43.80 a month", () => {
      expect(summaryRows(r.markdown)[2]).to.equal(
        "| staging | 0 | 1 | 0 | 0 | 0 | 0 | 0 | $653.35 → $697.15 | +$43.80 (+7%) |",
      );
      expect(r.markdown).to.include(
        "💰 **Monthly cost will increase by $43.80 (+3%) 📈**: $1,584.10 → $1,627.90 for 4 stacks.",
      );
      expect(section(r.markdown, "staging")).to.include(
        "| ~ | `staging-api` | `aws:ecs/service:Service` | $43.80 | $87.60 | +$43.80 |",
      );
    });

    it("shows the desired count change in the parity table", () => {
      expect(r.markdown).to.include("| ECS: Desired count | `api` | – | 1 | 2 → **4** | 3 |");
    });
  });

  describe("all five changes in one pull request", () => {
    const r = review(
      withChanges(DELETED_SERVICE, NEW_VIOLATION, {
        ...INSTANCE_CLASS,
        head: { ...INSTANCE_CLASS.head, subnetCidrs: SUBNET_CIDR.head.subnetCidrs },
      }),
    );

    it("has the sections in order: title, verdict, cost, summary, stacks in stack order, parity, diagram", () => {
      const md = r.markdown;
      const at = (s: string) => md.indexOf(s);
      expect(
        md.startsWith(
          `${REVIEW_MARKER}\n## Infrastructure review\n\n\`origin/main\` → \`working tree\` · 4 stacks: shared, dev, staging, prod\n`,
        ),
      ).to.equal(true);
      const order = [
        "❌ **1 mandatory",
        "💰 **Monthly cost",
        "| Stack |",
        "### Stacks",
        "<b>shared</b>",
        "<b>dev</b>",
        "<b>staging</b>",
        "<b>prod</b>",
        "### Environment parity",
        "### Architecture (head)",
        "```mermaid",
      ].map(at);
      expect(order.every((i) => i >= 0)).to.equal(true);
      expect([...order].sort((a, b) => a - b)).to.deep.equal(order);
      expect(r.trimmed).to.deep.equal([]);
    });

    it("totals every column", () => {
      expect(summaryRows(r.markdown)).to.deep.equal([
        "| shared | 0 | 0 | 0 | 0 | 0 | 0 | 0 | $43.80 → $43.80 | $0.00 |",
        "| dev | 0 | 0 | 0 | 5 | ⚠️ 1 | 0 | 0 | $124.10 → $113.15 | -$10.95 (-9%) |",
        "| staging | 0 | 1 | 0 | 0 | ⚠️ 1 | ❌ 1 | 1 | $653.35 → $653.35 | $0.00 |",
        "| prod | 0 | 4 | 2 | 0 | ⚠️ 1 | 0 | 0 | $762.85 → $1,200.85 | +$438.00 (+57%) |",
        "| **Total** | 0 | 5 | 2 | 5 | 3 | 1 | 1 | $1,584.10 → $2,011.15 | +$427.05 (+27%) |",
      ]);
    });

    it("says a caveat every stack shares once, in the footer", () => {
      const note = "Resource options are not part of the deployment format";
      expect(r.markdown.split(note).length - 1).to.equal(1);
      expect(r.markdown.indexOf(note)).to.be.greaterThan(r.markdown.indexOf("```mermaid"));
    });
  });

  describe("first deploy (no base)", () => {
    const r = review(
      ALL_SHAPES.map((s) => ({ head: s })),
      { baseLabel: "nothing (every resource is new)", baseRef: undefined },
    );

    it("counts every resource as a create and the whole cost as the increase", () => {
      const rows = summaryRows(r.markdown);
      expect(rows[4]).to.match(
        /^\| \*\*Total\*\* \| \d+ \| 0 \| 0 \| 0 \| 0 \| 0 \| 0 \| \$0\.00 → \$1,584\.10 \| \+\$1,584\.10 \|$/,
      );
      expect(rows[3]).to.match(
        /^\| prod \| \d+ \| 0 \| 0 \| 0 \| 0 \| 0 \| 0 \| \$0\.00 → \$762\.85 \| \+\$762\.85 \|$/,
      );
    });

    it("marks no parity cell as changed, and calls no create dangerous (not even of the protected Aurora cluster)", () => {
      expect(
        r.markdown.split("\n").filter((l) => l.startsWith("| ") && l.includes(" → **")),
      ).to.deep.equal([]);
      expect(r.markdown).not.to.include("dangerous change");
    });
  });

  describe("exit status and failures", () => {
    it("exits 0 when nothing is wrong, and says so", () => {
      const r = review(withChanges());
      expect(r.exitCode).to.equal(0);
      expect(r.markdown).to.include("✅ No mandatory policy violations.");
      expect(r.markdown).to.include(
        "💰 **Monthly cost will not change**: $1,584.10 → $1,584.10 for 4 stacks.",
      );
    });

    it("fails with exit 2 when a stack's head plan failed, and shows the message in its section", () => {
      const stacks: StackReviewInput[] = [
        stackInput({ base: SHARED, head: SHARED }),
        { stack: "dev", failure: "Invalid config:\n - platform:network.cidr: must be a /16" },
      ];
      const r = buildReview({ stacks, baseLabel: "origin/main", headLabel: "working tree" });
      expect(r.exitCode).to.equal(2);
      expect(summaryRows(r.markdown)[1]).to.equal(
        "| dev ❌ plan failed | – | – | – | – | – | – | – | n/a | n/a |",
      );
      expect(section(r.markdown, "dev")).to.deep.equal([
        "<details open><summary><b>dev</b> · ❌ failed to plan</summary>",
        "",
        "❌ **The head revision failed to plan:**",
        "",
        "```",
        "Invalid config:",
        " - platform:network.cidr: must be a /16",
        "```",
        "",
        "</details>",
      ]);
      expect(r.markdown).to.include("❌ **Could not review `dev`**");
    });

    it("fails with exit 2 when the policy pack did not run, even with no violation to show", () => {
      const s = {
        ...stackInput({ base: DEV, head: DEV }),
        policy: { error: "the policy pack did not start: boom" },
      };
      const r = buildReview({ stacks: [s], baseLabel: "a", headLabel: "b" });
      expect(r.exitCode).to.equal(2);
      expect(section(r.markdown, "dev")).to.include(
        "❌ **Policy check failed to run**: the policy pack did not start: boom",
      );
      expect(summaryRows(r.markdown)[0]).to.equal(
        "| dev | 0 | 0 | 0 | 0 | 0 | error | error | $124.10 → $124.10 | $0.00 |",
      );
    });
  });

  describe("trim levels of a stack section", () => {
    const input = stackInput(SUBNET_CIDR);
    const changeBlock = (level: number) => {
      const s = renderStackSection(input, level).split("\n");
      const a = s.indexOf("```diff");
      return a < 0
        ? s.filter((l) => l.startsWith("The change list"))
        : s.slice(a + 1, s.indexOf("```", a + 1));
    };

    it("level 0 shows every property with old => new values", () => {
      expect(changeBlock(0).filter((l) => l.startsWith("      "))).to.have.length(4);
      expect(changeBlock(0)[5]).to.match(
        /^ {6}~ networkConfiguration: \{"assignPublicIp":false,.*=> \(known after prod-private-1 is created or replaced\)$/,
      );
    });

    it("level 1 keeps values for replaces and only the property names of updates", () => {
      expect(changeBlock(1)).to.deep.equal([
        "! aws:ec2/routeTableAssociation:RouteTableAssociation  prod-private-1  (replace: subnetId)",
        '      ~ subnetId: "subnet-80d811746814f8265" => (known after prod-private-1 is created or replaced)  [forces replacement]',
        "! aws:ec2/subnet:Subnet  prod-private-1  (replace: cidrBlock)",
        '      ~ cidrBlock: "10.30.0.0/19" => "10.30.96.0/19"  [forces replacement]',
        "~ aws:ecs/service:Service  prod-api",
        "      ~ networkConfiguration",
        "~ aws:ecs/service:Service  prod-worker",
        "      ~ networkConfiguration",
      ]);
    });

    it("level 3 counts changes by operation and type; level 4 leaves the list out; dangerous changes stay at every level", () => {
      expect(changeBlock(3)).to.deep.equal([
        "! 1 × aws:ec2/routeTableAssociation:RouteTableAssociation  (replace)",
        "! 1 × aws:ec2/subnet:Subnet  (replace)",
        "~ 2 × aws:ecs/service:Service  (update)",
      ]);
      expect(changeBlock(4)).to.deep.equal([
        "The change list (4 changes) was left out to fit the comment.",
      ]);
      for (let level = 0; level < TRIM_LEVELS.length; level++) {
        expect(renderStackSection(input, level)).to.include(
          "- **replace** `aws:ec2/subnet:Subnet` `prod-private-1`",
        );
      }
    });

    it("level 2 keeps one line for each update and counts the creates by type", () => {
      const head: StackShape = {
        ...DEV,
        services: {
          ...DEV.services!,
          api: { ...DEV.services!.api, desiredCount: 2 },
          jobs: { desiredCount: 1, cpu: 256, memory: 512 },
        },
      };
      const block = renderStackSection(stackInput({ base: DEV, head }), 2).split("\n");
      const a = block.indexOf("```diff");
      expect(block.slice(a + 1, block.indexOf("```", a + 1))).to.deep.equal([
        "~ aws:ecs/service:Service  dev-api",
        "+ 1 × aws:cloudwatch/logGroup:LogGroup  (create)",
        "+ 1 × aws:ec2/securityGroup:SecurityGroup  (create)",
        "+ 1 × aws:ecs/service:Service  (create)",
        "+ 1 × aws:ecs/taskDefinition:TaskDefinition  (create)",
        "+ 1 × aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule  (create)",
      ]);
    });
  });

  describe("size budget", () => {
    /** A first deploy of prod with 40 services: its section dwarfs the others. */
    const big: StackShape = {
      ...PROD,
      services: Object.fromEntries(
        Array.from({ length: 40 }, (_, i) => [
          `svc${i}`,
          { desiredCount: 2, cpu: 256, memory: 512, port: 8000 + i },
        ]),
      ),
    };
    const pairs: Pair[] = [
      ...ALL_SHAPES.slice(0, 3).map((s) => ({ base: s, head: s })),
      { head: big },
    ];
    const full = review(pairs, { limit: 1_000_000 });

    it("stays whole when it fits", () => {
      expect(full.trimmed).to.deep.equal([]);
      expect(full.markdown.length).to.be.lessThan(REVIEW_CHAR_LIMIT);
    });

    it("when one character too long, shortens only the largest stack section, as far as it must, and says so twice", () => {
      const r = review(pairs, { limit: full.markdown.length - 1 });
      // prod is all creates: level 1 (update values) saves nothing, so level 2 is the first that helps.
      expect(r.trimmed).to.deep.equal([{ stack: "prod", what: `left out ${TRIM_LEVELS[2]}` }]);
      expect(r.markdown.length).to.be.at.most(full.markdown.length - 1);
      expect(r.markdown).to.include(
        `✂️ Trimmed to stay under ${full.markdown.length - 1} characters (GitHub's comment limit is 65,536): \`prod\`: left out ${TRIM_LEVELS[2]}.`,
      );
      expect(section(r.markdown, "prod")[2]).to.equal(
        `> ✂️ Shortened to fit the comment: left out ${TRIM_LEVELS[2]}. Full detail: \`platform diff prod --base origin/main\`, \`platform check prod\`, \`platform cost prod\`.`,
      );
    });

    it("with a small budget, trims further and stays under it, keeping the summary table", () => {
      const limit = 9_000;
      const r = review(pairs, { limit });
      expect(r.markdown.length).to.be.at.most(limit);
      expect(r.trimmed.find((t) => t.stack === "prod")?.what).to.equal(
        `left out ${TRIM_LEVELS[4]}`,
      );
      expect(summaryRows(r.markdown)).to.have.length(5);
      expect(r.markdown).to.include("</details>\n\n### Environment parity");
    });

    it("with an impossible budget, cuts the end off and says so", () => {
      const r = review(pairs, { limit: 1_500 });
      expect(r.markdown.length).to.be.at.most(1_500);
      expect(
        r.markdown.endsWith(
          "… (cut: the report exceeded the comment limit even with every section shortened)\n",
        ),
      ).to.equal(true);
      expect(r.trimmed.map((t) => t.what)).to.include("the end of the document (hard cut)");
    });
  });
});
