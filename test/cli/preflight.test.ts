import { expect } from "chai";
import fc from "fast-check";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { command, parsePreflightArgs, runPreflight } from "../../cli/commands/preflight";
import type { DeploymentDocument } from "../../cli/cost/types";
import { StackPlan, planStacks } from "../../cli/plan/planner";
import { checkQuotas, PreflightReport, QuotaResult } from "../../cli/preflight/check";
import { countStack } from "../../cli/preflight/count";
import { shippedQuotaTable } from "../../cli/preflight/quota-table";
import { STACK_ORDER } from "../../infra/stacks";
import { captureOutput } from "../support/capture";

/**
 * `platform preflight` on the shipped stacks (planned offline once, as `platform plan --all`
 * plans them) and on stack sets that do not fit: the same plans moved into one account, or
 * without account ids.
 */

const NONPROD = "111111111111";
const PROD = "222222222222";
const REGION = "ap-northeast-2";

/** The plans with every AWS provider's allowedAccountIds replaced (undefined: removed). */
function withAccounts(plans: Map<string, StackPlan>, accounts: string[] | undefined): Map<string, DeploymentDocument> {
  const out = new Map<string, DeploymentDocument>();
  for (const [stack, plan] of plans) {
    const copy = structuredClone(plan.deployment) as unknown as DeploymentDocument;
    for (const r of copy.deployment.resources ?? []) {
      if (!r.type.startsWith("pulumi:providers:aws")) continue;
      for (const bag of [r.inputs, r.outputs] as Array<Record<string, unknown> | undefined>) {
        if (!bag) continue;
        if (accounts) bag.allowedAccountIds = accounts;
        else delete bag.allowedAccountIds;
      }
    }
    out.set(stack, copy);
  }
  return out;
}

function writePlans(docs: Map<string, DeploymentDocument>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-"));
  for (const [stack, d] of docs) fs.writeFileSync(path.join(dir, `${stack}.json`), JSON.stringify(d));
  return dir;
}

function writeQuotas(text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "preflight-quotas-")), "quotas.yml");
  fs.writeFileSync(file, text);
  return file;
}

function quota(report: PreflightReport, account: string, id: string): QuotaResult {
  const group = report.accounts.find((a) => a.account === account && a.region === REGION);
  expect(group, `group ${account}`).to.not.equal(undefined);
  return group!.quotas.find((q) => q.id === id)!;
}

describe("platform preflight", function () {
  this.timeout(300_000);
  let plans: Map<string, StackPlan>;
  let shippedDir: string;
  const dirs: string[] = [];

  before(async () => {
    plans = await planStacks(STACK_ORDER);
    shippedDir = writePlans(new Map([...plans].map(([s, p]) => [s, p.deployment as unknown as DeploymentDocument])));
    dirs.push(shippedDir);
  });
  after(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  describe("on the shipped stacks (prod in its own account, the rest in the non-prod account)", () => {
    let report: PreflightReport;
    before(async () => {
      report = (await runPreflight(parsePreflightArgs(["--plans", shippedDir]))).report;
    });

    it("passes: every quota fits (exit 0), with no warning", async () => {
      expect(report.ok).to.equal(true);
      expect(report.warnings).to.deep.equal([]);
      const { value, stdout } = await captureOutput(() => command.run(["--plans", shippedDir]));
      expect(value).to.equal(0);
      // Two accounts, each with its stacks' Region and us-east-1 (the edge's CloudFront and WAF).
      expect(stdout).to.include("OK: 4 stack(s) in 4 account/Region group(s); 0 quota(s) over.");
    });

    it("groups shared, dev and staging in the non-prod account and prod alone, with prod's peer side in the non-prod account", () => {
      expect(report.accounts.map((a) => [a.account, a.region, a.stacks, a.alsoWrittenBy])).to.deep.equal([
        [NONPROD, REGION, ["shared", "dev", "staging"], ["prod"]],
        [NONPROD, "us-east-1", [], ["staging"]],
        [PROD, REGION, ["prod"], []],
        [PROD, "us-east-1", [], ["prod"]],
      ]);
    });

    it("sums Elastic IPs per account: 4 of 5 in non-prod (shared 1, staging 3), 3 of 5 in prod", () => {
      expect(quota(report, NONPROD, "eips")).to.deep.include({ used: 4, limit: 5, ok: true, byStack: { shared: 1, staging: 3 } });
      expect(quota(report, PROD, "eips")).to.deep.include({ used: 3, limit: 5, ok: true, byStack: { prod: 3 } });
    });

    it("counts each Region's default VPC: 4 of 5 VPCs in non-prod, 2 in prod", () => {
      expect(quota(report, NONPROD, "vpcs")).to.deep.include({ used: 4, limit: 5, byStack: { shared: 1, dev: 1, staging: 1, "default VPC": 1 } });
      expect(quota(report, PROD, "vpcs")).to.deep.include({ used: 2, limit: 5, byStack: { prod: 1, "default VPC": 1 } });
      expect(quota(report, NONPROD, "internet-gateways").used).to.equal(4);
    });

    it("counts prod's Fargate On-Demand vCPU at maximum scale (10 tasks x 200% x 0.5 vCPU = 10, plus the 0.25-vCPU database bootstrap task = 10.25) against the raise in environments/quotas.yml", () => {
      expect(quota(report, PROD, "fargate-on-demand-vcpu")).to.deep.include({ code: "L-3032A538", used: 10.25, limit: 20, raised: true, ok: true });
      // Each environment's bootstrap task runs on-demand (run-task --launch-type FARGATE), dev's too although its services run on Spot.
      expect(quota(report, NONPROD, "fargate-on-demand-vcpu")).to.deep.include({ used: 1.75, limit: 6, raised: false, byStack: { dev: 0.25, staging: 1.5 } });
      expect(quota(report, NONPROD, "fargate-spot-vcpu")).to.deep.include({ used: 1.5, byStack: { dev: 0.5, staging: 1 } });
    });

    it("counts every environment's peering against the management VPC, and the routes and NACL entries they write into it", () => {
      expect(quota(report, NONPROD, "peering-per-vpc")).to.deep.include({ used: 3, subject: "shared/shared-vpc", byStack: { dev: 1, staging: 1, prod: 1 } });
      expect(quota(report, NONPROD, "routes-per-route-table")).to.deep.include({ used: 4, byStack: { shared: 1, dev: 1, staging: 1, prod: 1 } });
      // 14: the management VPC's own rules, the three environments' peering rules and the office VPN's reply rule (500).
      expect(quota(report, NONPROD, "rules-per-network-acl")).to.deep.include({ used: 14, limit: 20, subject: "shared/shared-private (IPv4 outbound)" });
    });

    it("without the raise, prod's Fargate vCPU is over AWS's default of 6 (why environments/quotas.yml ships it)", async () => {
      const empty = writeQuotas("accounts: {}\n");
      const { value, stdout } = await captureOutput(() => command.run(["--plans", shippedDir, "--quotas", empty]));
      expect(value).to.equal(1);
      expect(stdout).to.include(
        "✗ Fargate On-Demand vCPU resource count (L-3032A538) in account 222222222222, ap-northeast-2: 10.25 vCPU planned, limit 6 (AWS default). Stacks: prod 10.25.\n" +
          "  Raise it: aws service-quotas request-service-quota-increase --service-code fargate --quota-code L-3032A538 --desired-value 11 --region ap-northeast-2\n" +
          '  then record the applied value in environments/quotas.yml as accounts."222222222222".ap-northeast-2.L-3032A538: <value>.',
      );
    });

    it("prints the JSON shape { accounts: [ { account, region, stacks, quotas: [ { name, code, used, limit, ok } ] } ] }", async () => {
      const { value, stdout } = await captureOutput(() => command.run(["--plans", shippedDir, "--format", "json"]));
      expect(value).to.equal(0);
      const json = JSON.parse(stdout) as { accounts: Array<{ account: string; region: string; stacks: string[]; quotas: Array<Record<string, unknown>> }> };
      expect(json.accounts.map((a) => [a.account, a.region])).to.deep.equal([
        [NONPROD, REGION],
        [NONPROD, "us-east-1"],
        [PROD, REGION],
        [PROD, "us-east-1"],
      ]);
      const eips = json.accounts[2].quotas.find((q) => q.code === "L-0263D0A3")!;
      expect(eips).to.deep.include({ name: "EC2-VPC Elastic IPs", code: "L-0263D0A3", used: 3, limit: 5, ok: true });
    });
  });

  describe("over quota", () => {
    it("fails when all four stacks share one account: 7 Elastic IPs > 5 (L-0263D0A3), naming the stacks and counts (exit 1)", async () => {
      const dir = writePlans(withAccounts(plans, ["333333333333"]));
      dirs.push(dir);
      const { value, stdout } = await captureOutput(() => command.run(["--plans", dir]));
      expect(value).to.equal(1);
      expect(stdout).to.include(
        "✗ EC2-VPC Elastic IPs (L-0263D0A3) in account 333333333333, ap-northeast-2: 7 addresses planned, limit 5 (AWS default). Stacks: shared 1, staging 3, prod 3.\n" +
          "  Raise it: aws service-quotas request-service-quota-increase --service-code ec2 --quota-code L-0263D0A3 --desired-value 7 --region ap-northeast-2\n",
      );
      // Four VPCs plus the default VPC are exactly the default quota: at the limit, not over.
      const report = (await runPreflight(parsePreflightArgs(["--plans", dir]))).report;
      expect(quota(report, "333333333333", "vpcs")).to.deep.include({ used: 5, limit: 5, ok: true });
      expect(report.accounts.flatMap((a) => a.quotas.filter((q) => !q.ok).map((q) => [q.code, q.used, q.limit]))).to.deep.equal([
        ["L-0263D0A3", 7, 5],
        ["L-3032A538", 12, 6],
      ]);
    });

    it("passes when environments/quotas.yml records the raised values for that account (exit 0)", async () => {
      const dir = writePlans(withAccounts(plans, ["333333333333"]));
      dirs.push(dir);
      const file = writeQuotas(`accounts:\n  "333333333333":\n    "*":\n      L-0263D0A3: 10\n    ${REGION}:\n      L-3032A538: 20\n`);
      const { report } = await runPreflight(parsePreflightArgs(["--plans", dir, "--quotas", file]));
      expect(report.ok).to.equal(true);
      expect(quota(report, "333333333333", "eips")).to.deep.include({ used: 7, limit: 10, raised: true, ok: true });
    });

    it("warns that stacks without aws:allowedAccountIds are assumed to share one account, and sums them there", async () => {
      const counts = [...withAccounts(plans, undefined)].map(([s, d]) => countStack(d, s, { region: REGION }));
      const report = checkQuotas(counts, shippedQuotaTable(), {});
      expect(report.warnings).to.deep.equal([
        'shared, dev, staging, prod set no aws:allowedAccountIds: assumed to share one account ("(unspecified)"); set it in environments/Pulumi.<stack>.yaml so quotas are summed per real account',
      ]);
      expect(quota(report, "(unspecified)", "eips")).to.deep.include({ used: 7, ok: false });
    });

    it("splitting stacks across accounts never raises a group's Region-wide count above the all-in-one-account sum", () => {
      const table = shippedQuotaTable();
      const regional = table.quotas.filter((q) => q.scope === "region").map((q) => q.id);
      const together = checkQuotas([...withAccounts(plans, ["000000000000"])].map(([s, d]) => countStack(d, s)), table, {});
      fc.assert(
        fc.property(fc.array(fc.constantFrom("000000000001", "000000000002", "000000000003"), { minLength: 4, maxLength: 4 }), (assignment) => {
          const counts = STACK_ORDER.map((s, i) => countStack(withAccounts(new Map([[s, plans.get(s)!]]), [assignment[i]]).get(s)!, s));
          const split = checkQuotas(counts, table, {});
          for (const id of regional) {
            for (const g of split.accounts) {
              // Per Region: the edge's CloudFront and WAF quotas count in us-east-1, the rest in the stacks' Region.
              const all = together.accounts.find((a) => a.account === "000000000000" && a.region === g.region)?.quotas.find((q) => q.id === id)?.used ?? 0;
              expect(g.quotas.find((q) => q.id === id)?.used ?? 0, `${id} in ${g.account} ${g.region}`).to.be.at.most(all);
            }
          }
          // EIPs are conserved: the groups' sum is the stacks' sum.
          const eips = split.accounts.reduce((n, g) => n + (g.quotas.find((q) => q.id === "eips")?.used ?? 0), 0);
          expect(eips).to.equal(7);
        }),
        { numRuns: 20 },
      );
    });
  });

  describe("input errors (exit 2)", () => {
    const cases: Array<[string, string[], string]> = [
      ["an unknown format", ["--format", "xml"], 'platform preflight: --format must be one of text, json (got "xml")'],
      ["an unknown stack", ["--stacks", "prdo"], 'platform preflight: unknown stack "prdo" (did you mean "prod"?); stacks: shared, dev, staging, prod'],
      ["a missing plans directory", ["--plans", "/nonexistent/plans"], "platform preflight: --plans /nonexistent/plans: no such directory"],
      ["both --plans and --plan-dir", ["--plans", ".", "--plan-dir", "."], "platform preflight: Only one of --plans and --plan-dir can be given"],
      ["a missing --quotas file", ["--quotas", "/nonexistent/quotas.yml", "--plans", "."], "platform preflight: --quotas /nonexistent/quotas.yml: file not found"],
    ];
    for (const [what, argv, message] of cases) {
      it(`fails on ${what}`, async () => {
        const args = argv.map((a) => (a === "." ? shippedDir : a));
        const { value, stderr } = await captureOutput(() => command.run(args));
        expect(value).to.equal(2);
        expect(stderr.split("\n")[0]).to.satisfy((l: string) => l.startsWith(message));
      });
    }

    it("fails on an invalid quotas file, naming the file, key, value and a did-you-mean", async () => {
      const file = writeQuotas(`accounts:\n  "222222222222":\n    ap-northeast-2:\n      L-3032A53B: 20\n`);
      const { value, stderr } = await captureOutput(() => command.run(["--plans", shippedDir, "--quotas", file]));
      expect(value).to.equal(2);
      expect(stderr).to.include(
        `${file}: 1 problem:\n - accounts.222222222222.ap-northeast-2.L-3032A53B: unknown quota code "L-3032A53B"; allowed: a code of cli/preflight/quotas.json (docs/preflight.md lists them); fix: did you mean L-3032A538 (Fargate On-Demand vCPU resource count)?`,
      );
    });
  });

  it("plans the stacks itself when no --plans is given", async () => {
    const { report } = await runPreflight(parsePreflightArgs(["--stacks", "shared"]));
    expect(report.accounts.map((a) => [a.account, a.stacks])).to.deep.equal([[NONPROD, ["shared"]]]);
    expect(quota(report, NONPROD, "eips").used).to.equal(1);
  });
});
