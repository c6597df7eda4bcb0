import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { check } from "../../cli/commands/check";
import { command as costCommand } from "../../cli/commands/cost";
import { command as diffCommand } from "../../cli/commands/diff";
import { command as reachCommand } from "../../cli/commands/reach";
import type { DiffResult } from "../../cli/diff/engine";
import { emptyDeployment, UntypedDeployment } from "../../cli/plan/deployment";
import { collectReview } from "../../cli/review/collect";
import { buildReview } from "../../cli/review/report";
import type { ReviewInputs, StackReviewInput } from "../../cli/review/types";
import { captureOutput } from "../support/capture";
import { policyPack } from "../support/policy-harness";
import { shippedPlans } from "../support/plans";
import { prodFixture } from "../policies/fixtures";
import { buildStack, DEV, STAGING } from "../fixtures/review/stack";
import { asStackExport, DIFF_BASE, digestOfChanges, digestOfCreates, readPlan } from "../fixtures/inputs/pulumi";

/**
 * The same resources give the same answers whether they arrive as an offline plan, a
 * `pulumi stack export` document or a `pulumi preview --json` digest of creates: check, cost, diff,
 * reach and review all read plan files through cli/input.
 */

const COST_PLAN = path.resolve(__dirname, "..", "fixtures", "cost", "dev-full.json");

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "platform-input-"));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(name: string, doc: unknown): string {
  const file = path.join(tmp, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(doc, null, 4));
  return file;
}

/** The plan in all three formats, written to files. */
function threeWays(plan: UntypedDeployment, prefix: string): { plan: string; export: string; preview: string } {
  return {
    plan: write(`${prefix}/plan.json`, plan),
    export: write(`${prefix}/export.json`, asStackExport(plan)),
    preview: write(`${prefix}/preview.json`, digestOfCreates(plan)),
  };
}

describe("cli/input through the commands: one answer for the same resources in any format", () => {
  describe("platform reach", function () {
    this.timeout(300000);
    it("proves the same intents (JSON) for prod's plan, its export and a digest of its creates, with shared's in any format", async () => {
      const plans = await shippedPlans(["shared", "prod"]);
      const prod = threeWays(plans.get("prod")!.deployment, "reach/prod");
      const shared = threeWays(plans.get("shared")!.deployment, "reach/shared");
      const outputs: string[] = [];
      for (const format of ["plan", "export", "preview"] as const) {
        const { value, stdout, stderr } = await captureOutput(() =>
          reachCommand.run(["prod", "--plan", prod[format], "--shared-plan", shared[format], "--format", "json"]),
        );
        expect(value, stderr).to.equal(0);
        outputs.push(stdout);
      }
      const report = JSON.parse(outputs[0]) as { summary: { intents: number; broken: number }; documents: string[] };
      expect(report.summary).to.deep.include({ intents: 215, broken: 0 });
      expect(report.documents).to.deep.equal(["prod", "shared"]);
      expect(outputs[1]).to.equal(outputs[0]);
      expect(outputs[2]).to.equal(outputs[0]);
    });
  });

  describe("platform cost", () => {
    it("prints the same estimate (JSON) for the plan, its export and a digest of its creates", async () => {
      const files = threeWays(readPlan(COST_PLAN), "cost");
      const outputs: string[] = [];
      for (const file of [files.plan, files.export, files.preview]) {
        const { value, stdout } = await captureOutput(() => costCommand.run(["dev", "--plan", file, "--format", "json"]));
        expect(value).to.equal(0);
        outputs.push(stdout);
      }
      expect(JSON.parse(outputs[0]).monthlyTotal).to.be.greaterThan(0);
      expect(outputs[1]).to.equal(outputs[0]);
      expect(outputs[2]).to.equal(outputs[0]);
    });

    it("fails with exit 2 on a preview without its unchanged resources, naming the flag to add", async () => {
      const digest = digestOfChanges();
      const file = write("cost/partial.json", { ...digest, steps: digest.steps!.filter((s) => s.op !== "same") });
      const { value, stderr } = await captureOutput(() => costCommand.run(["dev", "--plan", file]));
      expect(value).to.equal(2);
      expect(stderr).to.contain("this command needs every resource. Run `pulumi preview --json --show-sames`");
    });
  });

  describe("platform diff", () => {
    async function diffJson(argv: string[]): Promise<DiffResult> {
      const { value, stdout, stderr } = await captureOutput(() => diffCommand.run([...argv, "--format", "json"]));
      expect(value, stderr).to.equal(0);
      return JSON.parse(stdout) as DiffResult;
    }
    const shape = (d: DiffResult) => ({
      summary: d.summary,
      changes: d.changes.map((c) => `${c.op} ${c.urn}`),
      dangers: d.dangers.map((x) => `${x.severity} ${x.urn}`),
    });

    it("with a digest of creates and no --from, lists the same creates as the plan against an empty stack", async () => {
      const files = threeWays(readPlan(DIFF_BASE), "diff");
      const empty = write("diff/empty.json", emptyDeployment());
      const fromPlan = await diffJson(["--from", empty, "--to", files.plan]);
      const fromExport = await diffJson(["--from", empty, "--to", files.export]);
      const fromPreview = await diffJson(["--to", files.preview]);
      expect(fromPlan.summary.create).to.equal(readPlan(DIFF_BASE).deployment.resources!.length);
      expect(shape(fromExport)).to.deep.equal(shape(fromPlan));
      expect(shape(fromPreview)).to.deep.equal(shape(fromPlan));
    });

    it("with a digest of changes, prints the engine's operations and replace order", async () => {
      const file = write("diff/changes.json", digestOfChanges());
      const { value, stdout } = await captureOutput(() => diffCommand.run(["--to", file, "--stack", "dev"]));
      expect(value).to.equal(0);
      expect(stdout).to.include("+- aws:rds/clusterInstance:ClusterInstance  db-1  (replace: clusterIdentifier; delete before replace)");
      expect(stdout).to.include("-  aws:s3/bucket:Bucket  logs");
    });

    it("fails with exit 2 when a digest is given as --from, or with --from", async () => {
      const file = write("diff/changes2.json", digestOfChanges());
      const plan = write("diff/base.json", readPlan(DIFF_BASE));
      const asFrom = await captureOutput(() => diffCommand.run(["--from", file, "--to", plan]));
      expect(asFrom.value).to.equal(2);
      expect(asFrom.stderr).to.contain(`platform diff: --from ${file} is a \`pulumi preview --json\` digest: give it as --to`);
      const withFrom = await captureOutput(() => diffCommand.run(["--from", plan, "--to", file]));
      expect(withFrom.value).to.equal(2);
      expect(withFrom.stderr).to.contain("already a diff against the deployed state: drop --from");
    });

    it("fails with exit 2 on a v2 deployment, naming what it found", async () => {
      const file = write("diff/v2.json", { version: 2, deployment: { resources: [] } });
      const { value, stderr } = await captureOutput(() => diffCommand.run(["--to", file]));
      expect(value).to.equal(2);
      expect(stderr).to.contain("found a version 2 deployment, written by an old Pulumi CLI");
    });
  });

  describe("platform check", function () {
    this.timeout(180_000);

    it("reports the same violations for the plan, its export and a digest of its creates", async () => {
      const f = prodFixture();
      f.add("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "ssh-from-anywhere", {
        securityGroupId: f.get("prod-tasks-sg").id, ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0", description: "debug",
      });
      const files = threeWays(f.build() as unknown as UntypedDeployment, "check");
      const session = await policyPack();
      const outputs: string[] = [];
      for (const plan of [files.plan, files.export, files.preview])
        outputs.push((await check({ stack: "prod", plan, format: "json" }, { session })).output);
      expect(JSON.parse(outputs[0]).mandatory).to.be.greaterThan(0);
      expect(outputs[1]).to.equal(outputs[0]);
      expect(outputs[2]).to.equal(outputs[0]);
    });
  });

  describe("platform review", function () {
    // Three reviews at once, each with its own policy pack process (~10-25 s each on shared cores).
    this.timeout(480_000);
    let offline: ReviewInputs;
    let mixed: ReviewInputs;
    let previewed: ReviewInputs;
    let report: string;
    before(async () => {
      const dev = buildStack(DEV);
      const staging = buildStack(STAGING);
      write("review/plans/dev.json", dev);
      write("review/plans/staging.json", staging);
      write("review/other/dev.json", digestOfCreates(dev));
      write("review/other/staging.json", asStackExport(staging));
      write("review/previews/dev.json", digestOfChanges());
      const base = { kind: "none" } as const;
      [offline, mixed, previewed] = await Promise.all([
        collectReview({ stacks: ["dev", "staging"], base, head: { kind: "dir", dir: path.join(tmp, "review/plans") } }),
        collectReview({ stacks: ["dev", "staging"], base, head: { kind: "dir", dir: path.join(tmp, "review/other") } }),
        collectReview({
          stacks: ["dev", "staging"],
          base,
          head: { kind: "dir", dir: path.join(tmp, "review/plans") },
          previews: path.join(tmp, "review/previews"),
        }),
      ]);
      report = buildReview(mixed).markdown;
    });

    const facts = (s: StackReviewInput) => ({
      summary: s.diff!.summary,
      changes: s.diff!.changes.map((c) => `${c.op} ${c.urn}`),
      dangers: s.diff!.dangers.map((d) => `${d.severity} ${d.urn}`),
      policy: s.policy,
      cost: s.cost,
    });

    it("gives the same changes, policy results and cost for a digest of creates as for the plan (dev)", () => {
      expect(offline.stacks[0].diff!.summary.create).to.be.greaterThan(10);
      const a = facts(mixed.stacks[0]) as Record<string, unknown>;
      const b = facts(offline.stacks[0]) as Record<string, unknown>;
      for (const k of Object.keys(a)) expect(JSON.stringify(a[k]), k).to.equal(JSON.stringify(b[k]));
    });

    it("gives the same changes, policy results and cost for a stack export as for the plan (staging)", () => {
      expect(facts(mixed.stacks[1])).to.deep.equal(facts(offline.stacks[1]));
    });

    it("says per stack which source it used", () => {
      expect(offline.stacks.map((s) => s.source)).to.deep.equal(["offline plan", "offline plan"]);
      expect(mixed.stacks.map((s) => s.source)).to.deep.equal(["pulumi preview", "stack export"]);
      expect(report.split("\n").filter((l) => l.startsWith("Source: "))).to.deep.equal(["Source: pulumi preview", "Source: stack export"]);
    });

    it("with --previews, takes a stack's head from its digest (the engine's ops, no base needed) and plans the rest", () => {
      expect(previewed.stacks.map((s) => s.source)).to.deep.equal(["pulumi preview", "offline plan"]);
      const dev = previewed.stacks[0];
      expect(dev.diff!.summary).to.deep.equal({ create: 1, update: 1, replace: 2, delete: 1, same: 9 });
      expect(dev.diff!.base).to.equal("deployed state");
      // Policy and cost compare with the deployed state the preview read.
      expect(dev.base!.deployment.resources!.map((r) => r.urn.split("::").pop())).to.include("logs");
      expect(previewed.stacks[1].diff).to.deep.equal(offline.stacks[1].diff);
      const md = buildReview(previewed).markdown;
      expect(md).to.include("(replace: clusterIdentifier; delete before replace)");
      expect(md).to.include("each stack names its source");
    });
  });
});
