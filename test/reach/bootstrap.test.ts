import { expect } from "chai";
import { shippedArchitecture } from "../../cli/reach/architecture";
import { Endpoint, evaluateFlow } from "../../cli/reach/evaluate";
import { architectureFromPlan } from "../../cli/reach/from-plan";
import { Architecture, DB_BOOTSTRAP, IntentResult, checkIntents } from "../../cli/reach/intents";
import { NetNode, ReachResource, UNKNOWN, buildModel } from "../../cli/reach/model";
import { STACK_ORDER } from "../../infra/stacks";
import { evaluateShipped } from "../support/stacks";
import { Net, basicNet } from "./fixture";
import { find, shippedResources } from "./shipped";

/**
 * The database bootstrap task (infra/database/bootstrap.ts): a task definition no service runs,
 * started by the deploy workflow with `aws ecs run-task` in the subnets and group the stack
 * exports. The engine places it there and checks what it needs.
 */

const ROLE = "db-bootstrap";
const TASK_KEY = "task:db-bootstrap";

/** basicNet with tiers tagged, a database in the private subnets and the bootstrap task wired as the program wires it. */
function bootstrapNet(): Net {
  const n = basicNet();
  n.set("public-a", { tags: { Tier: "public" } });
  n.set("private-a", { tags: { Tier: "private" } });
  n.set("private-b", { tags: { Tier: "private" } });
  n.sg("db-sg", "sg-db", "vpc-1");
  n.database("db", ["subnet-a", "subnet-b"], ["sg-db"]);
  n.oneOffTask("boot", ROLE, "sg-boot", "vpc-1");
  n.egress("boot-https-out", "sg-boot", 443, { cidrIpv4: "0.0.0.0/0" });
  n.egress("boot-db-out", "sg-boot", 5432, { referencedSecurityGroupId: "sg-db" });
  n.ingress("boot-db-in", "sg-db", 5432, { referencedSecurityGroupId: "sg-boot" });
  return n;
}

function taskNode(resources: readonly ReachResource[]): NetNode | undefined {
  return buildModel(resources).nodes.find((x) => x.key === TASK_KEY);
}

describe("reach engine: one-off tasks (the database bootstrap)", () => {
  it("places the task in the private tier of its group's VPC, with its Role-tagged group and no public IP", () => {
    const n = bootstrapNet();
    const node = taskNode(n.resources)!;
    expect(node).to.deep.include({
      kind: "task",
      label: "one-off task db-bootstrap",
      urn: n.urn("boot-taskdef"),
      subnetIds: ["subnet-a", "subnet-b"],
      securityGroupIds: ["sg-boot"],
      publicIp: false,
      ports: [],
      service: ROLE,
    });
    expect(node.parts).to.deep.equal([n.urn("boot-taskdef"), n.urn("boot-sg")]);
  });

  it("places it in the subnets the stack exports for it when the document holds the stack's outputs", () => {
    const n = bootstrapNet();
    n.add("pulumi:pulumi:Stack", "p-t", "", { dbBootstrapSubnetIds: ["subnet-b"], dbBootstrapSecurityGroupId: "sg-boot" });
    const node = taskNode(n.resources)!;
    expect(node.subnetIds).to.deep.equal(["subnet-b"]);
    expect(node.parts).to.deep.equal([n.urn("boot-taskdef"), n.urn("boot-sg"), n.urn("p-t")]);
    // Not known yet (a preview): the private tier stands in, so the intents are still checked.
    n.set("p-t", { dbBootstrapSubnetIds: UNKNOWN });
    expect(taskNode(n.resources)!.subnetIds).to.deep.equal(["subnet-a", "subnet-b"]);
  });

  it("is not a one-off task when an ECS service runs the task definition, or without a run-task Role", () => {
    const run = bootstrapNet();
    run.set("svc", { taskDefinition: "arn:aws:ecs:r-1:123456789012:task-definition/boot:1" });
    expect(taskNode(run.resources)).to.equal(undefined);
    const other = bootstrapNet();
    other.set("boot-taskdef", { tags: { Role: "web" } });
    expect(taskNode(other.resources)).to.equal(undefined);
  });

  it("reaches the database from both private subnets; fails at the database's group without its ingress rule, at its own group without its egress rule", () => {
    const end = (n: Net, key: string, subnetId: string): Endpoint => ({ kind: "node", node: buildModel(n.resources).nodes.find((x) => x.key === key)!, subnetId });
    const flow = (n: Net, from: string, to: string) => evaluateFlow(buildModel(n.resources), { from: end(n, TASK_KEY, from), to: end(n, "database:db", to), port: 5432 });
    const ok = bootstrapNet();
    expect(flow(ok, "subnet-a", "subnet-b").result).to.equal("allow");
    expect(flow(ok, "subnet-b", "subnet-a").result).to.equal("allow");
    const noIngress = bootstrapNet();
    noIngress.remove("boot-db-in");
    expect(flow(noIngress, "subnet-a", "subnet-b").blockedBy?.urn).to.equal(noIngress.urn("db-sg"));
    const noEgress = bootstrapNet();
    noEgress.remove("boot-db-out");
    expect(flow(noEgress, "subnet-a", "subnet-b").blockedBy?.urn).to.equal(noEgress.urn("boot-sg"));
  });

  it("the internet never reaches it: no public IP, whatever its group says", () => {
    const n = bootstrapNet();
    n.ingress("boot-open", "sg-boot", 443, { cidrIpv4: "0.0.0.0/0" });
    const m = buildModel(n.resources);
    const r = evaluateFlow(m, { from: { kind: "internet" }, to: { kind: "node", node: m.nodes.find((x) => x.key === TASK_KEY)!, subnetId: "subnet-a" }, port: 443 });
    expect(r.result).to.equal("deny");
    expect(r.blockedBy).to.deep.equal({ urn: n.urn("boot-taskdef"), detail: "one-off task db-bootstrap: has no public IP address: the internet gateway cannot deliver to it" });
  });

  it("reads the task back from the plan (for the policy): it uses the database (DB_HOST) and needs ECR, Logs and Secrets Manager", () => {
    const n = bootstrapNet();
    expect(architectureFromPlan("t", buildModel(n.resources), n.resources).tasks).to.deep.equal([DB_BOOTSTRAP]);
    n.remove("boot-taskdef");
    expect(architectureFromPlan("t", buildModel(n.resources), n.resources).tasks).to.deep.equal([]);
  });

  it("without NAT or interface endpoints the task cannot start: the internet intent is reported missing", () => {
    const n = bootstrapNet();
    const arch: Architecture = { stack: "t", listenerPorts: [443], services: [{ name: "svc", port: 8080, database: false }], databasePort: 5432, tasks: [DB_BOOTSTRAP], interfaceEndpoints: [], nat: false, s3GatewayEndpoint: false, otherEnvironments: [] };
    const results = checkIntents(buildModel(n.resources), arch).filter((r) => r.id.includes("task/"));
    expect(results.map((r) => `${r.id} ${r.expect} ${r.result}`)).to.deep.equal([
      "allow:task/db-bootstrap>database:5432:r-1a>r-1a allow allow",
      "allow:task/db-bootstrap>database:5432:r-1a>r-1b allow allow",
      "allow:task/db-bootstrap>database:5432:r-1b>r-1a allow allow",
      "allow:task/db-bootstrap>database:5432:r-1b>r-1b allow allow",
      "allow:task/db-bootstrap>internet:443 allow deny",
      "deny:internet>task/db-bootstrap:443:internet>r-1a deny deny",
      "deny:internet>task/db-bootstrap:443:internet>r-1b deny deny",
    ]);
    expect(results.find((r) => r.id === "allow:task/db-bootstrap>internet:443")?.blockedBy?.detail).to.equal("no NAT and no interface endpoint for ecr.api, ecr.dkr, logs, secretsmanager");
  });

  it("a plan without the task definition the config implies breaks the database intent", () => {
    const n = bootstrapNet();
    n.remove("boot-taskdef");
    const arch: Architecture = { stack: "t", listenerPorts: [443], services: [], databasePort: 5432, tasks: [DB_BOOTSTRAP], interfaceEndpoints: [], nat: true, otherEnvironments: [] };
    const results = checkIntents(buildModel(n.resources), arch).filter((r) => r.id.includes("task/"));
    expect(results.map((r) => [r.id, r.holds, r.blockedBy?.detail])).to.deep.equal([["allow:task/db-bootstrap>database:5432", false, "no task definition of the one-off task db-bootstrap in the plan"]]);
  });
});

describe("reach over the shipped stacks: the database bootstrap task", function () {
  this.timeout(300000);
  const resources = new Map<string, ReachResource[]>();
  const results = new Map<string, IntentResult[]>();
  before(async () => {
    for (const stack of STACK_ORDER) {
      const rs = await shippedResources(stack);
      resources.set(stack, rs);
      results.set(stack, checkIntents(buildModel(rs), shippedArchitecture(stack)));
    }
  });
  const taskIds = (stack: string) => results.get(stack)!.filter((r) => r.id.includes("task/db-bootstrap")).map((r) => r.id);

  it("is placed in exactly the subnets and group the stack exports for run-task", async () => {
    for (const stack of ["dev", "staging", "prod"]) {
      const outputs = (await evaluateShipped(stack)).outputs;
      const node = buildModel(resources.get(stack)!).nodes.find((x) => x.key === TASK_KEY)!;
      expect(node.urn).to.equal(find(resources.get(stack)!, "ecs/taskDefinition:TaskDefinition", `${stack}-db-bootstrap-taskdef`).urn);
      expect(node.subnetIds, stack).to.deep.equal(outputs.dbBootstrapSubnetIds);
      expect(node.securityGroupIds, stack).to.deep.equal([outputs.dbBootstrapSecurityGroupId]);
    }
  });

  it("counts: dev 14 task intents of 66, staging 23 of 113, prod 65 of 215, shared none (no database)", () => {
    expect(Object.fromEntries(STACK_ORDER.map((s) => [s, [taskIds(s).length, results.get(s)!.length]]))).to.deep.equal({
      shared: [0, results.get("shared")!.length],
      dev: [14, 66],
      staging: [23, 113],
      prod: [65, 215],
    });
    expect(results.get("shared")!.length).to.be.greaterThan(0);
  });

  it("dev (NAT instance, no interface endpoints): database, S3 and the internet from both private AZs; closed to the internet and to the other environments", () => {
    expect(taskIds("dev")).to.deep.equal([
      "allow:task/db-bootstrap>database:5432:ap-northeast-2a>ap-northeast-2a",
      "allow:task/db-bootstrap>database:5432:ap-northeast-2a>ap-northeast-2b",
      "allow:task/db-bootstrap>database:5432:ap-northeast-2b>ap-northeast-2a",
      "allow:task/db-bootstrap>database:5432:ap-northeast-2b>ap-northeast-2b",
      "allow:task/db-bootstrap>s3:443:ap-northeast-2a>s3",
      "allow:task/db-bootstrap>s3:443:ap-northeast-2b>s3",
      "allow:task/db-bootstrap>internet:443:ap-northeast-2a>internet",
      "allow:task/db-bootstrap>internet:443:ap-northeast-2b>internet",
      "deny:internet>task/db-bootstrap:443:internet>ap-northeast-2a",
      "deny:internet>task/db-bootstrap:443:internet>ap-northeast-2b",
      "deny:task/db-bootstrap>staging/isolated:5432:ap-northeast-2a>10.20.160.0/19",
      "deny:task/db-bootstrap>prod/isolated:5432:ap-northeast-2a>10.30.160.0/19",
      // The session store (docs/cache.md): the bootstrap task never reaches it (one pair per cache AZ).
      "deny:task/db-bootstrap>cache:6379:ap-northeast-2a>ap-northeast-2a",
      "deny:task/db-bootstrap>cache:6379:ap-northeast-2a>ap-northeast-2b",
    ]);
    expect(results.get("dev")!.filter((r) => r.id.includes("task/")).every((r) => r.holds)).to.equal(true);
  });

  it("staging: 3 × 3 AZ pairs to the database, S3 and the internet through NAT from each AZ", () => {
    const ids = taskIds("staging");
    expect(ids.filter((i) => i.startsWith("allow:task/db-bootstrap>database:5432:")).length).to.equal(9);
    expect(ids.filter((i) => i.startsWith("allow:task/db-bootstrap>internet:443:"))).to.deep.equal(["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"].map((az) => `allow:task/db-bootstrap>internet:443:${az}>internet`));
    expect(ids.filter((i) => i.startsWith("allow:task/db-bootstrap>endpoint/"))).to.deep.equal([]);
  });

  it("prod (interface endpoints for everything it needs): every endpoint in every AZ pair, and no internet intent despite the NAT gateways", () => {
    const ids = taskIds("prod");
    for (const ep of ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "sts"]) expect(ids.filter((i) => i.startsWith(`allow:task/db-bootstrap>endpoint/${ep}:443:`)).length, ep).to.equal(9);
    expect(ids.filter((i) => i.startsWith("allow:task/db-bootstrap>internet"))).to.deep.equal([]);
    expect(ids.filter((i) => i.startsWith("allow:task/db-bootstrap>database:5432:")).length).to.equal(9);
    expect(ids.filter((i) => i.startsWith("deny:"))).to.deep.equal([
      "deny:internet>task/db-bootstrap:443:internet>ap-northeast-2a",
      "deny:internet>task/db-bootstrap:443:internet>ap-northeast-2b",
      "deny:internet>task/db-bootstrap:443:internet>ap-northeast-2c",
      "deny:task/db-bootstrap>dev/isolated:5432:ap-northeast-2a>10.10.160.0/19",
      "deny:task/db-bootstrap>staging/isolated:5432:ap-northeast-2a>10.20.160.0/19",
      "deny:task/db-bootstrap>cache:6379:ap-northeast-2a>ap-northeast-2a",
      "deny:task/db-bootstrap>cache:6379:ap-northeast-2a>ap-northeast-2b",
      "deny:task/db-bootstrap>cache:6379:ap-northeast-2a>ap-northeast-2c",
    ]);
  });
});
