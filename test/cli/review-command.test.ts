import { expect } from "chai";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseReviewArgs } from "../../cli/commands/review";
import { UsageError } from "../../cli/plan/args";
import { planInputsUnchanged } from "../../cli/review/collect";
import { REVIEW_MARKER } from "../../cli/review/report";
import { buildStack, DEV, SHARED, STAGING, StackShape } from "../fixtures/review/stack";

const ROOT = path.resolve(__dirname, "..", "..");

function usageError(argv: string[]): string {
  try {
    parseReviewArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error("no usage error");
}

function writePlans(dir: string, shapes: readonly StackShape[]): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const s of shapes)
    fs.writeFileSync(path.join(dir, `${s.stack}.json`), JSON.stringify(buildStack(s)));
}

describe("platform review command", () => {
  describe("arguments", () => {
    it("with no argument, reviews every stack in stack order against nothing", () => {
      const a = parseReviewArgs([]);
      expect(a.stacks).to.deep.equal(["shared", "dev", "staging", "prod"]);
      expect(a.base).to.deep.equal({ kind: "none" });
      expect(a.head).to.deep.equal({ kind: "plan" });
      expect(a.limit).to.equal(60_000);
    });

    it("puts --stacks in stack order and takes --base as a git ref", () => {
      const a = parseReviewArgs([
        "--stacks",
        "prod,shared",
        "--base",
        "origin/main",
        "--out",
        "review.md",
      ]);
      expect(a.stacks).to.deep.equal(["shared", "prod"]);
      expect(a.base).to.deep.equal({ kind: "git", ref: "origin/main" });
      expect(a.out).to.equal("review.md");
    });

    it("takes --previews as a directory of `pulumi preview --json` digests beside --base", () => {
      const a = parseReviewArgs(["--base", "origin/main", "--previews", "."]);
      expect(a.base).to.deep.equal({ kind: "git", ref: "origin/main" });
      expect(a.previews).to.equal(".");
    });

    const errors: [string[], string][] = [
      [["--previews", "/nonexistent/previews"], "--previews /nonexistent/previews: no such directory"],
      [["--base", "main", "--base-plans", "."], "Only one of --base and --base-plans can be given"],
      [
        ["--base", "main", "--head-plans", "."],
        "--base plans the working tree as head; use --base-plans with --head-plans to compare plan files",
      ],
      [["--stacks", "prod,qa"], "unknown stack(s) qa"],
      [["--max-chars", "12k"], '--max-chars must be a whole number of at least 1000 (got "12k")'],
      [["prod"], 'unexpected argument "prod" (name stacks with --stacks)'],
      [
        ["--base-plans", "/nonexistent/plans"],
        "--base-plans /nonexistent/plans: no such directory",
      ],
    ];
    for (const [argv, message] of errors) {
      it(`fails on ${argv.join(" ")}`, () => expect(usageError(argv)).to.include(message));
    }
  });

  describe("reusing plans when nothing they depend on changed", () => {
    let repo: string;
    const git = (...args: string[]) =>
      execFileSync("git", ["-C", repo, ...args], { stdio: "pipe" });
    before(() => {
      repo = fs.mkdtempSync(path.join(os.tmpdir(), "review-git-"));
      git("init", "-q");
      git("config", "user.email", "t@example.com");
      git("config", "user.name", "t");
      fs.mkdirSync(path.join(repo, "infra"));
      fs.mkdirSync(path.join(repo, "docs"));
      fs.writeFileSync(path.join(repo, "infra", "index.ts"), "export {};\n");
      fs.writeFileSync(path.join(repo, "docs", "a.md"), "a\n");
      git("add", ".");
      git("commit", "-q", "-m", "base");
    });
    after(() => fs.rmSync(repo, { recursive: true, force: true }));

    it("with only docs changed, says the plans are the same", () => {
      fs.writeFileSync(path.join(repo, "docs", "a.md"), "b\n");
      expect(planInputsUnchanged(repo, "HEAD")).to.equal(true);
    });

    it("with an untracked stack file, says they differ", () => {
      fs.mkdirSync(path.join(repo, "environments"), { recursive: true });
      fs.writeFileSync(path.join(repo, "environments", "Pulumi.qa.yaml"), "config: {}\n");
      expect(planInputsUnchanged(repo, "HEAD")).to.equal(false);
      fs.rmSync(path.join(repo, "environments"), { recursive: true });
    });

    it("with the program edited, says they differ", () => {
      fs.writeFileSync(path.join(repo, "infra", "index.ts"), "export const x = 1;\n");
      expect(planInputsUnchanged(repo, "HEAD")).to.equal(false);
    });

    it("fails closed: an unknown ref means the plans must be made", () => {
      expect(planInputsUnchanged(repo, "no-such-ref")).to.equal(false);
    });
  });

  describe("end to end on plan pairs, through the policy pack and the shipped prices", function () {
    // One policy pack start (it compiles the policies: ~10 s on a shared core) and its checks.
    this.timeout(240_000);
    let dir: string;
    let run: ReturnType<typeof spawnSync>;
    let report: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "review-cmd-"));
      const stagingUnprotected: StackShape = {
        ...STAGING,
        db: { ...STAGING.db!, deletionProtection: false },
      };
      writePlans(path.join(dir, "base"), [SHARED, DEV, STAGING]);
      writePlans(path.join(dir, "head"), [SHARED, DEV, stagingUnprotected]);
      run = spawnSync(
        process.execPath,
        [
          path.join(ROOT, "bin", "platform.js"),
          "review",
          "--base-plans",
          path.join(dir, "base"),
          "--head-plans",
          path.join(dir, "head"),
          "--out",
          path.join(dir, "review.md"),
        ],
        { cwd: ROOT, encoding: "utf8" },
      );
      report = fs.existsSync(path.join(dir, "review.md"))
        ? fs.readFileSync(path.join(dir, "review.md"), "utf8")
        : "";
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("writes the report and exits 1: the fixtures break mandatory policies", () => {
      expect(run.stderr).to.match(
        /platform review: 3 stack\(s\), \d+ characters written to .*review\.md, exit 1/,
      );
      expect(run.status).to.equal(1);
      expect(report.startsWith(`${REVIEW_MARKER}\n## Infrastructure review\n`)).to.equal(true);
    });

    it("marks the deletion-protection violation staging gained as new, from the real pack", () => {
      const row = report
        .split("\n")
        .find((l) => l.includes("`rds-cluster-enable-deletion-protection`"));
      expect(row).to.equal(
        "| ❌ mandatory | `rds-cluster-enable-deletion-protection` | `staging-db` 🆕 | Deletion protection is off; set deletionProtection: true. |",
      );
    });

    it("counts the one update in staging and prices both sides with the shipped table (no change)", () => {
      const row = report.split("\n").find((l) => l.startsWith("| staging |"))!;
      expect(row).to.match(
        /^\| staging \| 0 \| 1 \| 0 \| 0 \| ⚠️ 1 \| ❌ \d+ \| \d+ \| \$[\d,]+\.\d\d → \$[\d,]+\.\d\d \| \$0\.00 \|$/,
      );
      const [base, head] = /\$([\d,]+\.\d\d) → \$([\d,]+\.\d\d)/.exec(row)!.slice(1);
      expect(base).to.equal(head);
      expect(Number(base.replace(/,/g, ""))).to.be.greaterThan(0);
    });

    it("shows staging losing deletion protection in the parity table", () => {
      expect(report).to.include(
        "| Aurora: Deletion protection | `db` | – | off | ⚠️ on → **off** |",
      );
    });
  });
});
