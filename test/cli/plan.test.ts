import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { STACK_ORDER } from "../../infra/stacks";
import { readStackFile, REPO_ROOT } from "../../cli/evaluate/stack-config";
import { ROOT_STACK_TYPE } from "../../cli/evaluate/urn";
import { ResourceV3, serializeDeployment } from "../../cli/plan/deployment";
import { isStackPlan, planStacks, planStacksSettled, StackPlan } from "../../cli/plan/planner";
import { shippedPlans } from "../support/plans";
import { renderPlanText } from "../../cli/plan/render";
import { organizationFlag } from "../../cli/commands/plan";
import { deploymentValidator } from "../../cli/plan/schema";

/** The command as built from these sources (not a dist/ compiled before the last edit). */
const FROM_SOURCE = { ...process.env, PLATFORM_FROM_SOURCE: "1" };
import { loadReplaceTable, ruleFor } from "../../cli/diff/table";

/**
 * `platform plan` end to end: every shipped stack evaluated in its own process through the Pulumi
 * CLI's Node.js entry, the documents validated against Pulumi's schemas, determinism, engine URNs on
 * nested components, StackReferences answered from the upstream plan, bad config.
 */
const FIXTURE = path.join(__dirname, "..", "fixtures", "plans", "project");
const validate = deploymentValidator();

function byUrnSuffix(plan: StackPlan, suffix: string): ResourceV3 {
  const r = (plan.deployment.deployment.resources ?? []).find((x) => x.urn.endsWith(suffix));
  if (!r) throw new Error(`no resource ending in ${suffix}`);
  return r;
}

describe("platform plan (shipped stacks)", () => {
  let plans: ReadonlyMap<string, StackPlan>;

  before(async function () {
    this.timeout(180_000);
    plans = await shippedPlans();
  });

  for (const stack of STACK_ORDER) {
    // `platform plan` prints a stack's log to stderr as `[<stack>] <line>` (cli/commands/plan.ts):
    // an empty log is a clean run with no warnings, e.g. none of the SDK's "Undefined value (x)
    // will not show as a stack output".
    it(`plans ${stack} with no warning or other program output`, () => {
      expect(plans.get(stack)!.log).to.deep.equal([]);
    });

    it(`plans ${stack} into a deployment that validates against Pulumi's schemas`, () => {
      const plan = plans.get(stack)!;
      expect(validate(plan.deployment)).to.deep.equal([]);
      const resources = plan.deployment.deployment.resources ?? [];
      expect(resources[0].urn).to.equal(`urn:pulumi:${stack}::platform::${ROOT_STACK_TYPE}::platform-${stack}`);
      expect(resources.length).to.be.greaterThan(10);
    });

    it(`with ${stack}, every custom resource has an id and a provider, every parent and dependency exists earlier`, () => {
      const resources = plans.get(stack)!.deployment.deployment.resources ?? [];
      const seen = new Set<string>();
      for (const r of resources) {
        if (r.parent) expect(seen.has(r.parent), `${r.urn} parent`).to.equal(true);
        for (const d of r.dependencies ?? []) expect(seen.has(d), `${r.urn} dependency ${d}`).to.equal(true);
        if (r.custom) {
          expect(r.id, r.urn).to.be.a("string").and.not.equal("");
          if (!r.type.startsWith("pulumi:providers:")) {
            const providerUrn = r.provider!.slice(0, r.provider!.lastIndexOf("::"));
            expect(seen.has(providerUrn), `${r.urn} provider`).to.equal(true);
          }
        }
        seen.add(r.urn);
      }
    });

    it(`with ${stack}, every aws resource's provider is an aws provider in the stack's region, but the edge's us-east-1 resources`, () => {
      const resources = plans.get(stack)!.deployment.deployment.resources ?? [];
      const byUrn = new Map(resources.map((r) => [r.urn, r]));
      const region = readStackFile(stack).config["aws:region"];
      const awsResources = resources.filter((r) => r.custom && r.type.startsWith("aws:"));
      expect(awsResources.length).to.be.greaterThan(0);
      const east = new Set<string>();
      for (const r of awsResources) {
        const provider = byUrn.get(r.provider!.slice(0, r.provider!.lastIndexOf("::")))!;
        expect(provider.type, r.urn).to.equal("pulumi:providers:aws");
        // The edge's second provider: what CloudFront and CLOUDFRONT-scope WAF require in us-east-1.
        const edge = provider.parent !== undefined && byUrn.get(provider.parent)?.type === "platform:edge:Edge";
        if (edge) east.add(r.type);
        expect(provider.inputs!.region, r.urn).to.equal(edge ? "us-east-1" : region);
        expect(r.provider!.endsWith(`::${provider.id}`)).to.equal(true);
      }
      expect([...east].sort()).to.deep.equal(
        stack === "staging" || stack === "prod"
          ? [
              "aws:acm/certificate:Certificate",
              "aws:acm/certificateValidation:CertificateValidation",
              "aws:cloudwatch/logDelivery:LogDelivery",
              "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
              "aws:cloudwatch/logDeliverySource:LogDeliverySource",
              "aws:cloudwatch/logGroup:LogGroup",
              "aws:kms/key:Key",
              "aws:wafv2/webAcl:WebAcl",
              "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
            ]
          : [],
      );
    });
  }

  for (const stack of ["dev", "staging", "prod"]) {
    it(`answers ${stack}'s StackReference to shared from shared's own plan`, () => {
      const plan = plans.get(stack)!;
      expect(plan.upstream).to.deep.equal(["shared"]);
      const refs = (plan.deployment.deployment.resources ?? []).filter((r) => r.type === "pulumi:pulumi:StackReference");
      expect(refs.map((r) => r.id)).to.deep.equal(["organization/platform/shared"]);
      const sharedRoot = plans.get("shared")!.deployment.deployment.resources![0];
      expect((refs[0].outputs as Record<string, unknown>).outputs).to.deep.equal(sharedRoot.outputs);
    });
  }

  it("with organization acme (Pulumi Cloud), dev reads acme/platform/shared, answered from shared's plan; nothing else changes", async function () {
    this.timeout(120_000);
    const acme = (await planStacks(["dev"], { organization: "acme", upstream: { shared: plans.get("shared")! } })).get("dev")!;
    const resources = acme.deployment.deployment.resources ?? [];
    const refs = resources.filter((r) => r.type === "pulumi:pulumi:StackReference");
    expect(refs.map((r) => [r.id, r.inputs!.name])).to.deep.equal([["acme/platform/shared", "acme/platform/shared"]]);
    const rename = (text: string) => text.split("organization/platform/shared").join("acme/platform/shared");
    expect(serializeDeployment(acme.deployment)).to.equal(rename(serializeDeployment(plans.get("dev")!.deployment)));
  });

  it("derives ids from the URN: the same logical VPC gets different ids in different stacks", () => {
    const vpcIds = STACK_ORDER.map((s) =>
      (plans.get(s)!.deployment.deployment.resources ?? []).find((r) => r.type === "aws:ec2/vpc:Vpc")!.id!,
    );
    for (const id of vpcIds) expect(id).to.match(/^vpc-[0-9a-f]{17}$/);
    expect(new Set(vpcIds).size).to.equal(STACK_ORDER.length);
  });

  it("every resource type the shipped stacks create is in the replace-on-change table", () => {
    const table = loadReplaceTable();
    const missing = new Set<string>();
    for (const plan of plans.values()) {
      for (const r of plan.deployment.deployment.resources ?? []) {
        if (!r.external && (r.custom || r.provider) && !ruleFor(table, r.type)) missing.add(r.type);
      }
    }
    expect([...missing]).to.deep.equal([]);
  });

  it("is byte-identical across two runs (dev)", async function () {
    this.timeout(120_000);
    const again = await planStacks(["dev"]);
    expect(serializeDeployment(again.get("dev")!.deployment)).to.equal(serializeDeployment(plans.get("dev")!.deployment));
  });

  it("renders a tree and counts per type whose total matches the document", () => {
    const plan = plans.get("shared")!;
    const text = renderPlanText(plan.deployment, { stack: "shared", remoteUrns: plan.remoteUrns });
    const total = plan.deployment.deployment.resources!.length;
    expect(text).to.contain(`Stack shared: ${total} resources`);
    expect(text).to.match(new RegExp(`\\n\\s+${total}  total\\n`));
    expect(text.split("\n")[2]).to.equal("pulumi:pulumi:Stack  platform-shared");
  });
});

describe("platform plan (fixture project)", () => {
  let up: StackPlan;
  let down: StackPlan;

  before(async function () {
    this.timeout(120_000);
    const plans = await planStacks(["down"], { root: FIXTURE });
    down = plans.get("down")!;
    const upPlans = await planStacks(["up"], { root: FIXTURE });
    up = upPlans.get("up")!;
  });

  it("builds URNs with the full parent type chain and no Stack prefix", () => {
    const vpc = byUrnSuffix(up, "::net-middle-vpc");
    expect(vpc.urn).to.equal("urn:pulumi:up::fixture::fixture:index:Outer$fixture:index:Middle$aws:ec2/vpc:Vpc::net-middle-vpc");
    expect(vpc.parent).to.equal("urn:pulumi:up::fixture::fixture:index:Outer$fixture:index:Middle::net-middle");
    const middle = byUrnSuffix(up, "::net-middle");
    expect(middle.parent).to.equal("urn:pulumi:up::fixture::fixture:index:Outer::net");
    expect(byUrnSuffix(up, "::net").parent).to.equal("urn:pulumi:up::fixture::pulumi:pulumi:Stack::fixture-up");
    expect(middle.outputs).to.deep.equal({ vpcId: vpc.id });
    expect(validate(up.deployment)).to.deep.equal([]);
  });

  it("keeps a remote component as one resource, flagged as not expanded", () => {
    const repo = byUrnSuffix(up, "::images");
    expect(repo.type).to.equal("awsx:ecr:Repository");
    expect(repo.custom).to.equal(false);
    expect(repo.provider).to.match(/^urn:pulumi:up::fixture::pulumi:providers:awsx::default_3_9_0::[0-9a-f-]{36}$/);
    expect(up.remoteUrns).to.deep.equal([repo.urn]);
    const text = renderPlanText(up.deployment, { stack: "up", remoteUrns: up.remoteUrns });
    expect(text).to.contain("awsx:ecr:Repository  images  [remote component, not expanded]");
  });

  it("answers a StackReference from the upstream stack's own plan", () => {
    expect(down.upstream).to.deep.equal(["up"]);
    const upVpc = byUrnSuffix(up, "::net-middle-vpc");
    const subnet = byUrnSuffix(down, "aws:ec2/subnet:Subnet::app");
    expect(subnet.inputs!.vpcId).to.equal(upVpc.id);
    const ref = byUrnSuffix(down, "pulumi:pulumi:StackReference::organization/fixture/up");
    expect(ref.external).to.equal(true);
    expect((ref.outputs!.outputs as Record<string, unknown>).vpcId).to.equal(upVpc.id);
    expect(subnet.propertyDependencies!.vpcId).to.deep.equal([ref.urn]);
    expect(subnet.protect).to.equal(true);
    expect(validate(down.deployment)).to.deep.equal([]);
  });

  it("uses each stack's own region in ARNs", () => {
    expect(byUrnSuffix(down, "::app").outputs!.arn).to.match(/^arn:aws:ec2:eu-west-1:123456789012:subnet\/subnet-[0-9a-f]{17}$/);
  });

  it("fails with the engine's message on a StackReference to another project", async function () {
    this.timeout(60_000);
    const settled = await planStacksSettled(["down"], {
      root: FIXTURE,
      configOverride: { down: { "aws:region": "eu-west-1", "fixture:upstream": "acme/other/prod", "fixture:subnetCidr": "10.1.1.0/24" } },
    });
    const r = settled.get("down")!;
    expect(isStackPlan(r)).to.equal(false);
    expect((r as { message: string }).message).to.equal(
      'StackReference "acme/other/prod" names no stack of project "fixture" (known: shared, dev, staging, prod, down, up); ' +
        "offline planning can only answer references to this project's stacks.",
    );
  });
});

describe("platform plan --org", () => {
  it("accepts an organization name, and nothing (the backend's default) when unset or empty", () => {
    expect(organizationFlag("acme-corp_1.x")).to.equal("acme-corp_1.x");
    expect(organizationFlag(undefined)).to.equal(undefined);
    expect(organizationFlag("")).to.equal(undefined);
  });

  it("fails on a value that is not one stack-name segment, naming the fix", () => {
    expect(() => organizationFlag("acme/platform")).to.throw(
      '--org (or PULUMI_ORG) must be an organization name of letters, digits, "-", "_" and "." (got "acme/platform"); use the first segment of your stacks\' names, e.g. "acme" for acme/platform/dev',
    );
  });

  it("exits 2 with the message and the usage before planning anything", () => {
    const res = spawnSync(process.execPath, [path.join(REPO_ROOT, "bin", "platform.js"), "plan", "dev", "--org", "a b"], { encoding: "utf8", env: FROM_SOURCE });
    expect(res.status).to.equal(2);
    expect(res.stderr.split("\n")[0]).to.equal(
      'platform plan: --org (or PULUMI_ORG) must be an organization name of letters, digits, "-", "_" and "." (got "a b"); use the first segment of your stacks\' names, e.g. "acme" for acme/platform/dev',
    );
    expect(res.stdout).to.equal("");
  });
});

describe("platform plan (bad config)", () => {
  it("fails with the config module's aggregated message", async function () {
    this.timeout(60_000);
    const config = { ...readStackFile("dev").config, "platform:network": { cidr: "banana", azCount: 9 } };
    const settled = await planStacksSettled(["dev"], { configOverride: { dev: config } });
    const r = settled.get("dev")!;
    expect(isStackPlan(r)).to.equal(false);
    const message = (r as { message: string }).message;
    expect(message.startsWith('Invalid configuration for stack "dev" (environments/Pulumi.dev.yaml)')).to.equal(true);
    expect(message).to.contain("platform:network.cidr");
    expect((r as { detail?: string }).detail).to.equal(undefined);
  });

  it("fails the command with exit code 2 and writes no plan file", function () {
    this.timeout(60_000);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "plan-bad-"));
    try {
      // The project as the CLI reads it: Pulumi.yaml (no main), package.json (main), tsconfig.json.
      for (const f of ["Pulumi.yaml", "package.json", "tsconfig.json"]) fs.copyFileSync(path.join(REPO_ROOT, f), path.join(root, f));
      fs.symlinkSync(path.join(REPO_ROOT, "infra"), path.join(root, "infra"), "dir");
      fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(root, "node_modules"), "dir");
      fs.mkdirSync(path.join(root, "environments"));
      fs.writeFileSync(
        path.join(root, "environments", "Pulumi.dev.yaml"),
        "config:\n  aws:region: ap-northeast-2\n  platform:network:\n    cidr: banana\n",
      );
      const res = spawnSync(process.execPath, [path.join(REPO_ROOT, "bin", "platform.js"), "plan", "dev", "--root", root], {
        encoding: "utf8",
        env: FROM_SOURCE,
      });
      expect(res.status).to.equal(2);
      expect(res.stderr).to.contain('platform plan: stack "dev" failed to evaluate:\nInvalid configuration for stack "dev"');
      expect(fs.existsSync(path.join(root, ".plans", "dev.json"))).to.equal(false);
    } finally {
      for (const link of ["infra", "node_modules"]) fs.unlinkSync(path.join(root, link));
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
