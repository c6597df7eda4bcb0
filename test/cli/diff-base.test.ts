import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { diffAgainstRevision } from "../../cli/commands/diff";
import { REPO_ROOT } from "../../cli/evaluate/stack-config";

/**
 * `platform diff <stack> --base <ref>` end to end, on a throwaway git repository holding the plan
 * fixture project: the base is planned from `git archive` output, the head from the working tree.
 */
const FIXTURE = path.join(__dirname, "..", "fixtures", "plans", "project");

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-C", cwd, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

describe("platform diff --base", () => {
  let repo: string;

  before(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), "diff-base-"));
    fs.cpSync(FIXTURE, repo, { recursive: true });
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(repo, "node_modules"), "dir");
    fs.writeFileSync(path.join(repo, ".gitignore"), "node_modules\n.plans/\n");
    git(repo, "init", "-q");
    git(repo, "-c", "user.email=t@example.com", "-c", "user.name=t", "add", ".");
    git(repo, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "-m", "base");
  });

  after(() => {
    fs.unlinkSync(path.join(repo, "node_modules"));
    fs.rmSync(repo, { recursive: true, force: true });
  });

  it("with a VPC CIDR change in the working tree, replaces the VPC and calls it dangerous", async function () {
    this.timeout(120_000);
    const file = path.join(repo, "environments", "Pulumi.up.yaml");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("10.1.0.0/16", "10.2.0.0/16"));
    const d = await diffAgainstRevision("up", "HEAD", repo);
    expect([d.base, d.head, d.stack]).to.deep.equal(["HEAD", "working tree", "up"]);
    const vpc = d.changes.find((c) => c.name === "net-middle-vpc")!;
    expect(vpc.op).to.equal("replace");
    expect(vpc.replaceReasons).to.deep.equal(["cidrBlock"]);
    expect(d.dangers.map((x) => `${x.severity} ${x.name}`)).to.deep.equal(["replace net-middle-vpc"]);
    // Resource options were known (plans made in-process), so no caveat.
    expect(d.notes).to.deep.equal([]);
    // The temporary tree's node_modules link is gone, the real one untouched.
    expect(fs.existsSync(path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi", "package.json"))).to.equal(true);
  });

  it("fails on a revision that does not exist", async () => {
    let message = "";
    try {
      await diffAgainstRevision("up", "no-such-ref", repo);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.equal(`"no-such-ref" is not a commit in ${repo} (git rev-parse --verify no-such-ref^{commit} failed)`);
  });
});
