import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { command } from "../../cli/commands/cost";
import { chooseRegion } from "../../cli/cost";
import { USAGE_KEYS } from "../../cli/cost/rules";
import { parseUsageFile, validateUsageTargets } from "../../cli/cost/usage";
import { doc, res } from "../fixtures/cost/build";
import { captureOutput } from "../support/capture";

const FIXTURES = path.join(__dirname, "..", "fixtures", "cost");
const DEV = path.join(FIXTURES, "dev-full.json");
const PROD = path.join(FIXTURES, "prod-ha.json");

/** Run `platform cost …` in-process; returns exit code, output file text and stderr. */
async function cost(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cost-"));
  const outFile = path.join(dir, "out");
  try {
    const { value: code, stderr } = await captureOutput(() => command.run([...args, "--out", outFile]));
    const out = fs.existsSync(outFile) ? fs.readFileSync(outFile, "utf8") : "";
    return { code, out, err: stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("platform cost (command)", () => {
  let tmp = "";
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cost-usage-"));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const file = (name: string, text: string): string => {
    const f = path.join(tmp, name);
    fs.writeFileSync(f, text);
    return f;
  };
  /** The shipped defaults layered last, so these tests do not depend on environments/usage.*.yml. */
  const pinnedUsage = (): string =>
    file(
      "pinned.yml",
      fs.readFileSync(path.join(__dirname, "..", "..", "cli", "cost", "usage.default.yml"), "utf8"),
    );

  it("with --format json, prints the documented schema with unknown usage marked", async () => {
    const usage = file("u.yml", `resource_usage:\n  dev-alb: { average_lcu: ~ }\n`);
    const { code, out } = await cost([
      "dev",
      "--plan",
      DEV,
      "--format",
      "json",
      "--usage",
      pinnedUsage(),
      "--usage",
      usage,
    ]);
    expect(code).to.equal(0);
    const json = JSON.parse(out);
    expect(Object.keys(json).slice(0, 5)).to.deep.equal([
      "stack",
      "region",
      "currency",
      "monthlyTotal",
      "resources",
    ]);
    expect([json.stack, json.region, json.currency]).to.deep.equal([
      "dev",
      "ap-northeast-2",
      "USD",
    ]);
    expect(json.monthlyTotal).to.equal(188.092105); // 191.012105 without the 2.92 of LCUs
    const alb = json.resources.find((r: { urn: string }) => r.urn.endsWith("::dev-alb"));
    expect(alb).to.include({ type: "aws:lb/loadBalancer:LoadBalancer", monthly: 23.725 });
    expect(alb.lines[1]).to.deep.include({
      description: "Load balancer capacity units",
      quantity: 0,
      unit: "LCU-hours",
      unitPrice: 0.008,
      monthly: 0,
      usageKnown: false,
      usageKey: "average_lcu",
    });
    for (const r of json.resources) {
      expect(r).to.include.keys("urn", "type", "monthly", "lines");
      for (const l of r.lines)
        expect(l).to.include.keys("description", "quantity", "unit", "unitPrice", "monthly");
    }
  });

  it("with --format text, prints per-resource lines, the total, the usage unknown marker and the region source", async () => {
    const usage = file(
      "u.yml",
      `resource_type_default_usage:\n  "aws:ec2/natGateway:NatGateway": { monthly_data_processed_gb: ~ }\n`,
    );
    const { code, out } = await cost([
      "prod",
      "--plan",
      PROD,
      "--usage",
      pinnedUsage(),
      "--usage",
      usage,
    ]);
    expect(code).to.equal(0);
    expect(out).to.contain(" ├─ NAT gateway ");
    expect(out).to.match(/ └─ Data processed +usage unknown: \$0\.059 per GB\n/);
    expect(out).to.match(/ OVERALL TOTAL +\$818\.95\n/); // 820.7195 − 3 × 0.59
    expect(out).to.contain("∙ 3 usage-based line(s) have no usage value");
    expect(out).to.contain(
      "Region: ap-northeast-2 (from 7 of 7 ARNs in the deployment's outputs)\n",
    );
  });

  it("with --region, prices the same plan in us-east-1", async () => {
    const { code, out } = await cost([
      "prod",
      "--plan",
      PROD,
      "--region",
      "us-east-1",
      "--format",
      "json",
      "--usage",
      pinnedUsage(),
    ]);
    expect(code).to.equal(0);
    const json = JSON.parse(out);
    expect(json.region).to.equal("us-east-1");
    const writer = json.resources.find((r: { urn: string }) => r.urn.endsWith("::prod-db-1"));
    expect(writer.monthly).to.equal(189.8);
  });

  it("with --base, prints the change from base to head", async () => {
    const { code, out } = await cost([
      "dev",
      "--plan",
      DEV,
      "--base",
      DEV,
      "--format",
      "json",
      "--usage",
      pinnedUsage(),
    ]);
    expect(code).to.equal(0);
    expect(JSON.parse(out)).to.deep.include({
      baseMonthlyTotal: 191.012105,
      headMonthlyTotal: 191.012105,
      delta: 0,
      resources: [],
    });
  });

  it("without --plan, plans the shipped dev stack in-process and prices it", async () => {
    const { code, out, err } = await cost(["dev", "--format", "json"]);
    expect(code, err).to.equal(0);
    const json = JSON.parse(out);
    expect([json.stack, json.region, json.currency]).to.deep.equal([
      "dev",
      "ap-northeast-2",
      "USD",
    ]);
    expect(json.resources.length).to.be.greaterThan(0);
    const sum = json.resources.reduce((a: number, r: { monthly: number }) => a + r.monthly, 0);
    expect(json.monthlyTotal).to.be.closeTo(sum, 1e-6);
    expect(json.usageFiles).to.deep.equal([
      "cli/cost/usage.default.yml",
      "environments/usage.dev.yml",
    ]);
    // The dev target in docs/cost.md: the full architecture (VPC, NAT instance, ALB, one service,
    // Aurora Serverless v2 that pauses) for at most 40 USD a month in ap-northeast-2, plus the
    // session store (issue #16: one cache.t4g.micro Valkey node $11.56, its key $1, its logs),
    // which no cheaper node type can bring under 40: at most 53 USD.
    expect(json.monthlyTotal).to.be.at.most(53);
    const types = new Set(json.resources.map((r: { type: string }) => r.type));
    for (const t of [
      "aws:ec2/instance:Instance",
      "aws:lb/loadBalancer:LoadBalancer",
      "aws:ecs/service:Service",
      "aws:rds/clusterInstance:ClusterInstance",
    ]) {
      expect(types.has(t), t).to.equal(true);
    }
  });

  it("fails with exit 2 on an unknown format", async () => {
    const { code, err } = await cost(["dev", "--plan", DEV, "--format", "yaml"]);
    expect(code).to.equal(2);
    expect(err.split("\n")[0]).to.equal(
      'platform cost: --format must be one of text, json, md (got "yaml")',
    );
  });

  it("fails with exit 2 without a stack", async () => {
    const { code, err } = await cost(["--plan", DEV]);
    expect(code).to.equal(2);
    expect(err.split("\n")[0]).to.equal("platform cost: missing <stack>");
  });

  it("fails with exit 2 on a plan file that is none of the formats, saying what it found", async () => {
    const bad = file("bad.json", JSON.stringify({ steps: [] }));
    const { code, err } = await cost(["dev", "--plan", bad]);
    expect(code).to.equal(2);
    expect(err).to.contain(`${bad} is not a plan this tool can read: expected an offline plan or a \`pulumi stack export\` document`);
    expect(err).to.contain("found a PreviewDigest with 0 steps: the preview failed or was cancelled.");
  });

  it("fails with exit 2 on a misspelt usage key, naming the expected keys", async () => {
    const usage = file(
      "typo.yml",
      `resource_type_default_usage:\n  "aws:ec2/natGateway:NatGateway": { monthly_gb_data_processed: 5 }\n`,
    );
    const { code, err } = await cost(["dev", "--plan", DEV, "--usage", usage]);
    expect(code).to.equal(2);
    expect(err).to.contain(
      ' - resource_type_default_usage."aws:ec2/natGateway:NatGateway".monthly_gb_data_processed: unknown key (did you mean monthly_data_processed_gb?) (expected one of: monthly_data_processed_gb)',
    );
  });

  it("fails with exit 2 on a usage entry naming no resource of the plan, with a did-you-mean", async () => {
    const usage = file("nobody.yml", `resource_usage:\n  dev-alb-lb: { average_lcu: 1 }\n  "*-no-such-*": { average_lcu: 1 }\n`);
    const { code, out, err } = await cost(["dev", "--plan", DEV, "--usage", usage]);
    expect(code).to.equal(2);
    expect(out).to.equal("");
    expect(err).to.equal(
      `platform cost: Invalid usage file ${usage}:\n` +
        ' - resource_usage."dev-alb-lb": no resource of the plan has this logical name or URN (did you mean "dev-alb"?); ' +
        "use a name from `platform plan <stack>`, a URN, or a pattern with *\n",
    );
  });

  it("fails with exit 2 on a plan of another stack", async () => {
    const { code, err } = await cost(["prod", "--plan", DEV]);
    expect(code).to.equal(2);
    expect(err).to.contain(`is a plan of stack "dev", not "prod": pass prod's plan, or name stack "dev"`);
  });

  it("fails with exit 2 on a region the price table lacks", async () => {
    const { code, err } = await cost(["dev", "--plan", DEV, "--region", "eu-west-1"]);
    expect(code).to.equal(2);
    expect(err).to.contain('No prices for region "eu-west-1"');
  });
});

describe("platform cost: region choice", () => {
  let root = "";
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "cost-root-"));
    fs.mkdirSync(path.join(root, "environments"));
    fs.writeFileSync(
      path.join(root, "environments", "Pulumi.x.yaml"),
      "config:\n  aws:region: us-east-1\n",
    );
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  const bare = doc(res("aws:ec2/natGateway:NatGateway", "nat", {}));

  it("with a plan that names no region, takes aws:region from environments/Pulumi.<stack>.yaml", () => {
    expect(chooseRegion(undefined, bare, "x", root)).to.deep.equal({
      region: "us-east-1",
      source: "environments/Pulumi.x.yaml",
    });
  });

  it("prefers the plan's AWS provider region over the config file, and --region over both", () => {
    const withProvider = doc(res("pulumi:providers:aws", "default", { region: "ap-northeast-2" }));
    expect(chooseRegion(undefined, withProvider, "x", root).region).to.equal("ap-northeast-2");
    expect(chooseRegion("us-east-1", withProvider, "x", root)).to.deep.equal({
      region: "us-east-1",
      source: "--region",
    });
  });

  it("fails when neither the plan nor the config names a region", () => {
    expect(() => chooseRegion(undefined, bare, "nope", root)).to.throw(
      "Cannot tell the region: the plan names none and environments/Pulumi.nope.yaml has no aws:region. Pass --region.",
    );
  });
});

describe("usage files: resource_usage entries must name a priced resource", () => {
  const plan = {
    deployment: {
      resources: [
        { urn: "urn:pulumi:dev::platform::platform:app:LoadBalancer::dev-alb", type: "platform:app:LoadBalancer" },
        {
          urn: "urn:pulumi:dev::platform::platform:app:LoadBalancer$aws:lb/loadBalancer:LoadBalancer::dev-alb-lb",
          type: "aws:lb/loadBalancer:LoadBalancer",
        },
      ],
    },
  };
  const check = (yaml: string) => () => validateUsageTargets(parseUsageFile(yaml, "u.yml"), plan, USAGE_KEYS);

  it("fails on a component's name, pointing at the load balancer it holds", () => {
    expect(check("resource_usage:\n  dev-alb: { average_lcu: 1 }\n")).to.throw(
      'Invalid usage file u.yml:\n - resource_usage."dev-alb": names a platform:app:LoadBalancer, which reads no usage keys (did you mean "dev-alb-lb"?); use a name from `platform plan <stack>`, a URN, or a pattern with *',
    );
  });

  it("accepts the resource's logical name, its URN and patterns that match nothing", () => {
    expect(check("resource_usage:\n  dev-alb-lb: { average_lcu: 1 }\n  \"*-nothing\": { average_lcu: 1 }\n")).not.to.throw();
    expect(check(`resource_usage:\n  "${plan.deployment.resources[1].urn}": { average_lcu: 1 }\n`)).not.to.throw();
  });
});
