import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { command, parseReachArgs } from "../../cli/commands/reach";
import { ReachResource } from "../../cli/reach/model";
import { captureOutput } from "../support/capture";
import { Net, basicNet } from "./fixture";
import { documentOf, shippedResources } from "./shipped";

/** `platform reach`: arguments, exit codes, the JSON contract, text and query output. */

describe("platform reach: arguments", () => {
  it("parses a stack, files and format", () => {
    expect(parseReachArgs(["prod", "--plan", "a.json", "--shared-plan=b.json", "--format", "json"])).to.deep.equal({ stack: "prod", plan: "a.json", sharedPlan: "b.json", format: "json" });
  });

  it("parses query mode", () => {
    expect(parseReachArgs(["dev", "--from", "alb", "--to", "service:hello", "--port", "8080"]).query).to.deep.equal({ from: "alb", to: "service:hello", port: 8080 });
  });

  const bad: Array<[string[], string]> = [
    [[], "missing <stack>"],
    [["dev", "prod"], "expected one stack, got dev prod"],
    [["dev", "--format", "yaml"], '--format must be one of text, json (got "yaml")'],
    [["dev", "--from", "alb"], "query mode needs --from, --to and --port together (missing --to, --port)"],
    [["dev", "--from", "alb", "--to", "x", "--port", "http"], '--port must be a TCP port 0..65535, got "http"'],
    [["dev", "--frm", "alb"], "unknown option --frm (did you mean --from?)"],
    [["dve"], 'unknown stack "dve" (did you mean "dev"?); stacks: shared, dev, staging, prod (one per environments/Pulumi.<stack>.yaml)'],
  ];
  for (const [argv, message] of bad) {
    it(`fails with exit 2 on ${JSON.stringify(argv)}: ${message}`, async () => {
      const { value, stderr } = await captureOutput(() => command.run(argv));
      expect(value).to.equal(2);
      expect(stderr.split("\n")[0]).to.equal(`platform reach: ${message}`);
    });
  }

  it("fails with exit 2, naming the file, on a file that is not a deployment document", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "reach-"));
    const file = path.join(dir, "x.json");
    fs.writeFileSync(file, '{"resources": []}');
    try {
      const { value, stderr } = await captureOutput(() => command.run(["t", "--plan", file]));
      expect(value).to.equal(2);
      expect(stderr).to.equal(
        `platform reach: ${file} is not a plan this tool can read: expected an offline plan or a \`pulumi stack export\` document ({"version": 3, "deployment": {…}}), or a \`pulumi preview --json\` PreviewDigest ({"steps": […], "changeSummary": {…}}); found a bare deployment object with no "version" (version must be 3): wrap it as {"version": 3, "deployment": …}, as \`pulumi stack export\` writes it.\n`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("platform reach over documents", function () {
  this.timeout(300000);
  let dir: string;
  let prod: ReachResource[];
  const write = (name: string, doc: object) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(doc));
    return file;
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "reach-"));
    prod = await shippedResources("prod");
    write("prod.json", documentOf(prod, "prod"));
    write("shared.json", documentOf(prod, "shared"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("prints prod's JSON report (exit 0) in the documented shape", async () => {
    const { value, stdout } = await captureOutput(() =>
      command.run(["prod", "--plan", path.join(dir, "prod.json"), "--shared-plan", path.join(dir, "shared.json"), "--format", "json"]),
    );
    expect(value).to.equal(0);
    const json = JSON.parse(stdout);
    expect(json.stack).to.equal("prod");
    expect(json.summary).to.deep.equal({ intents: json.intents.length, broken: 0, unknown: 0 });
    expect(json.documents).to.deep.equal(["prod", "shared"]);
    const first = json.intents.find((i: { id: string }) => i.id === "allow:alb>service/hello:8080:ap-northeast-2a>ap-northeast-2b");
    expect(Object.keys(first)).to.deep.equal(["id", "from", "to", "protocol", "port", "expect", "result", "holds", "path", "why"]);
    expect(first.from).to.deep.equal({ label: "load balancer prod-alb-lb", urn: "urn:pulumi:prod::platform::platform:app:LoadBalancer$aws:lb/loadBalancer:LoadBalancer::prod-alb-lb", az: "ap-northeast-2a" });
    expect(first.to.urn).to.equal("urn:pulumi:prod::platform::platform:app:FargateService$aws:ecs/service:Service::prod-svc-hello-service");
    expect(first).to.include({ protocol: "tcp", port: 8080, expect: "allow", result: "allow", holds: true });
    const denied = json.intents.find((i: { id: string }) => i.id.startsWith("deny:internet>database"));
    expect(denied.blockedBy.urn).to.equal("urn:pulumi:prod::platform::platform:database:Aurora$aws:rds/cluster:Cluster::prod-db-cluster");
    expect(denied.from).to.deep.equal({ label: "internet" });
  });

  it("exits 1 on the issue's bug (the private ACL without the endpoint rule), explaining the hop that drops it", async () => {
    const broken = prod.filter((r) => !r.urn.endsWith("NetworkAclRule::prod-private-in-190"));
    const file = write("prod-broken.json", documentOf(broken, "prod"));
    const { value, stdout } = await captureOutput(() => command.run(["prod", "--plan", file, "--shared-plan", path.join(dir, "shared.json")]));
    expect(value).to.equal(1);
    const lines = stdout.split("\n");
    // 30 cross-AZ endpoint pairs for ECS service hello and 30 for the bootstrap task (same subnets).
    expect(lines[0]).to.equal("platform reach prod: 215 intents, 60 broken — plans: prod, shared");
    const i = lines.indexOf("  ✗ must allow ECS service hello (ap-northeast-2a) → interface endpoint ecr.api (ap-northeast-2b) tcp 443: deny  [allow:service/hello>endpoint/ecr.api:443:ap-northeast-2a>ap-northeast-2b]");
    expect(i).to.be.greaterThan(0);
    const block = lines.slice(i, i + 8).join("\n");
    expect(block).to.contain("DENY  network ACL prod-private (prod-private-2): inbound request from ECS service hello (10.30.0.0/19) tcp 443: ports 443 denied by rule * (implicit deny: no rule matches) of prod-private");
    expect(block).to.contain("blocked by: urn:pulumi:prod::platform::platform:network:Vpc$aws:ec2/networkAcl:NetworkAcl::prod-private");
  });

  it("explains one flow in query mode, per AZ pair", async () => {
    const { value, stdout } = await captureOutput(() =>
      command.run(["prod", "--plan", path.join(dir, "prod.json"), "--shared-plan", path.join(dir, "shared.json"), "--from", "prod-svc-hello-service", "--to", "endpoint:sts", "--port", "443"]),
    );
    expect(value).to.equal(0);
    expect(stdout.split("\n").filter((l) => l.startsWith("ECS service hello")).length).to.equal(9);
    expect(stdout).to.contain("ECS service hello (ap-northeast-2a) → interface endpoint sts (ap-northeast-2c) tcp 443: allow");
    expect(stdout).to.contain("rule 190 (allow 10.30.0.0/17 tcp 443)");
  });

  it("fails with exit 2 and a did-you-mean on an unknown name", async () => {
    const { value, stderr } = await captureOutput(() => command.run(["prod", "--plan", path.join(dir, "prod.json"), "--from", "prod-alb", "--to", "internet", "--port", "443"]));
    expect(value).to.equal(2);
    expect(stderr).to.match(/^platform reach: no resource named "prod-alb" in the plan; did you mean "prod-alb-lb"\?/);
  });
});

describe("platform reach on a stack it does not ship (architecture read back from the plan)", () => {
  it("derives the intents from the plan's resources and reports a broken ALB → service path", async () => {
    const n: Net = basicNet();
    n.add("pulumi:pulumi:Stack", "p-t", "", {});
    n.remove("alb-to-svc");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "reach-"));
    try {
      const file = path.join(dir, "t.json");
      fs.writeFileSync(file, JSON.stringify(documentOf(n.resources, "t")));
      const { value, stdout } = await captureOutput(() => command.run(["t", "--plan", file, "--format", "json"]));
      expect(value).to.equal(1);
      const json = JSON.parse(stdout);
      expect(json.intents.filter((i: { holds: boolean }) => !i.holds).map((i: { id: string }) => i.id)).to.deep.equal([
        "allow:alb>service/svc:8080:r-1a>r-1a",
        "allow:alb>service/svc:8080:r-1a>r-1b",
      ]);
      // No S3 gateway endpoint in this plan: no S3 intent (read back from the plan, not from config).
      expect(json.intents.some((i: { id: string }) => i.id.includes(">s3:"))).to.equal(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
