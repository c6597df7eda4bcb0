import { expect } from "chai";
import { STACK_ORDER } from "../../infra/stacks";
import { StackPlan } from "../../cli/plan/planner";
import { shippedPlans } from "../support/plans";
import { CheckResult, Violation } from "../../cli/policy/check";
import { DeploymentDocument, PropertyMap, ResourceV3, parseDeployment, parseUrn } from "../../cli/policy/deployment";
import { checkDocument } from "../support/policy-harness";

/**
 * The shipped stacks, planned offline exactly as `platform plan` plans them, through the policy
 * pack with each stack's own policy config; then the prod plan broken one thing at a time.
 */

/** Every shipped stack passes with zero mandatory violations. */

/** Advisory findings accepted per stack, with the reason (mirrored in docs/policies.md, "The shipped stacks"). */
export const ACCEPTED_ADVISORY: Record<string, Array<[policy: string, resource: string, why: string]>> = {
  shared: [
    ["ec2-instance-enable-detailed-monitoring", "shared-bastion-lt", "a one-instance Session Manager host; five-minute metrics are enough"],
    ["ec2-natgateway-require-per-az", "shared-private-2", "the management VPC uses one NAT gateway by design (no customer traffic)"],
    // The shipped config names no platform:vpn.alarmTopicArn (docs/vpn.md): the finding is the reminder.
    ["cloudwatch-metricalarm-require-actions", "shared-vpn-office-tunnel-1-down", "the example office's tunnel alarms notify nobody until platform:vpn.alarmTopicArn names a topic"],
    ["cloudwatch-metricalarm-require-actions", "shared-vpn-office-tunnel-2-down", "the example office's tunnel alarms notify nobody until platform:vpn.alarmTopicArn names a topic"],
  ],
  dev: [
    ["ec2-natgateway-require-per-az", "dev-private-1", "dev uses a NAT instance (~4 USD instead of ~43 USD a month)"],
    ["ec2-natgateway-require-per-az", "dev-private-2", "dev uses a NAT instance (~4 USD instead of ~43 USD a month)"],
    ["ecs-cluster-enable-container-insights", "dev-ecs-cluster", "Container Insights is billed per metric; dev does without"],
    ["ecs-service-require-multi-az", "dev-svc-hello-service", "one task is enough for dev"],
    ["rds-cluster-configure-non-default-port", "dev-db-cluster", "the database is reachable only from two security groups; a non-default port adds nothing"],
    ["rds-cluster-require-multi-az", "dev-db-cluster", "a single Aurora instance in dev (cost)"],
    // The session store runs one node in dev (docs/cache.md): one finding per missing part.
    ["elasticache-replicationgroup-require-multi-az", "dev-cache-group", "one cache node in dev (cost): no replica"],
    ["elasticache-replicationgroup-require-multi-az", "dev-cache-group", "one cache node in dev: no automatic failover"],
    ["elasticache-replicationgroup-require-multi-az", "dev-cache-group", "one cache node in dev: no Multi-AZ"],
  ],
  // Staging and prod are behind the edge: CloudFront's web ACL protects their ALB (docs/edge.md).
  staging: [
    ["iam-role-disallow-aws-managed-policies", "staging-svc-hello-ecs-lb-role", "ECS's infrastructure role for load balancers uses the policy AWS documents and maintains for it (AmazonECSInfrastructureRolePolicyForLoadBalancers, docs/releases.md)"],
    ["rds-cluster-configure-non-default-port", "staging-db-cluster", "the database is reachable only from two security groups; a non-default port adds nothing"],
  ],
  prod: [
    ["iam-role-disallow-aws-managed-policies", "prod-svc-hello-ecs-lb-role", "ECS's infrastructure role for load balancers uses the policy AWS documents and maintains for it (AmazonECSInfrastructureRolePolicyForLoadBalancers, docs/releases.md)"],
    ["rds-cluster-configure-non-default-port", "prod-db-cluster", "the database is reachable only from two security groups; a non-default port adds nothing"],
  ],
};

const name = (v: Violation) => (v.urn ? parseUrn(v.urn).name : "(stack)");
const pairs = (vs: readonly Violation[]) => vs.map((v) => [v.policy, name(v)]).sort((a, b) => a.join().localeCompare(b.join()));
const expected = (list: Array<[string, string, string]>) => list.map(([p, r]) => [p, r]).sort((a, b) => a.join().localeCompare(b.join()));

describe("platform check over the shipped stacks", function () {
  this.timeout(900000);
  let plans: ReadonlyMap<string, StackPlan>;
  const results = new Map<string, CheckResult>();

  before(async () => {
    plans = await shippedPlans();
    for (const stack of STACK_ORDER) {
      results.set(stack, await checkDocument(parseDeployment(plans.get(stack)!.deployment, stack), { config: stack }));
    }
  });

  for (const stack of STACK_ORDER) {
    it(`${stack}: has no mandatory violation`, () => {
      const got = results.get(stack)!.violations.filter((v) => v.level === "mandatory");
      expect(pairs(got)).to.deep.equal([]);
    });

    it(`${stack}: has exactly the accepted advisory findings`, () => {
      const got = results.get(stack)!.violations.filter((v) => v.level === "advisory");
      expect(pairs(got)).to.deep.equal(expected(ACCEPTED_ADVISORY[stack]));
    });
  }

  describe("mutations of the prod plan, each caught as mandatory", () => {
    const clone = (): DeploymentDocument => JSON.parse(JSON.stringify(plans.get("prod")!.deployment)) as DeploymentDocument;
    const all = (doc: DeploymentDocument) => doc.deployment.resources as ResourceV3[];
    const find = (doc: DeploymentDocument, type: string, pred: (r: ResourceV3) => boolean = () => true): ResourceV3 => {
      const r = all(doc).find((x) => x.type === type && pred(x));
      if (!r) throw new Error(`prod plan has no ${type} matching the mutation`);
      return r;
    };
    const set = (r: ResourceV3, key: string, value: PropertyMap[string] | undefined) => {
      for (const m of [r.inputs, r.outputs] as Array<Record<string, unknown> | undefined>) {
        if (!m) continue;
        if (value === undefined) delete m[key];
        else m[key] = value;
      }
    };
    const tier = (r: ResourceV3, t: string) => ((r.inputs?.tags ?? {}) as Record<string, unknown>).Tier === t;
    const add = (doc: DeploymentDocument, type: string, logical: string, inputs: PropertyMap, deps: Record<string, string[]>, like: ResourceV3): string => {
      const urn = `urn:pulumi:prod::platform::${type}::${logical}`;
      all(doc).push({ urn, custom: true, type, id: `${logical}-id`, inputs, outputs: inputs, dependencies: Object.values(deps).flat(), propertyDependencies: deps, provider: like.provider });
      return urn;
    };
    const caught = async (doc: DeploymentDocument, policy: string): Promise<string[]> => {
      const result = await checkDocument(parseDeployment(doc, "mutated prod plan"), { config: "prod" });
      return result.violations.filter((v) => v.policy === policy && v.level === "mandatory").map(name);
    };

    it("with port 22 opened to the world on a security group through an ingress rule resource", async () => {
      const doc = clone();
      const sg = find(doc, "aws:ec2/securityGroup:SecurityGroup");
      add(doc, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "mutation-ssh",
        { securityGroupId: sg.id ?? "", ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" }, { securityGroupId: [sg.urn] }, sg);
      expect(await caught(doc, "ec2-securitygroup-disallow-public-admin-ingress")).to.deep.equal(["mutation-ssh"]);
      expect(await caught(doc, "lb-loadbalancer-require-sole-public-entry")).to.include("mutation-ssh");
    });

    it("with a subnet of the isolated tier routed to the internet gateway", async () => {
      const doc = clone();
      const rt = find(doc, "aws:ec2/routeTable:RouteTable", (r) => tier(r, "isolated"));
      const igw = find(doc, "aws:ec2/internetGateway:InternetGateway");
      add(doc, "aws:ec2/route:Route", "mutation-isolated-igw",
        { routeTableId: rt.id ?? "", destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id ?? "" }, { routeTableId: [rt.urn], gatewayId: [igw.urn] }, rt);
      const isolated = all(doc).filter((r) => r.type === "aws:ec2/subnet:Subnet" && tier(r, "isolated")).map((r) => parseUrn(r.urn).name).sort();
      expect(isolated.length).to.be.greaterThan(1);
      expect(await caught(doc, "ec2-subnet-disallow-default-route-from-isolated")).to.deep.equal(isolated);
      expect(await caught(doc, "ec2-routetable-disallow-internet-route-outside-public")).to.include("mutation-isolated-igw");
      expect(await caught(doc, "rds-subnetgroup-require-isolated-subnets")).to.have.length.greaterThan(0);
    });

    it("with Aurora storage encryption turned off", async () => {
      const doc = clone();
      const cluster = find(doc, "aws:rds/cluster:Cluster");
      set(cluster, "storageEncrypted", false);
      expect(await caught(doc, "rds-cluster-require-storage-encryption")).to.deep.equal([parseUrn(cluster.urn).name]);
    });

    it("with a database instance made publicly accessible", async () => {
      const doc = clone();
      const instance = find(doc, "aws:rds/clusterInstance:ClusterInstance");
      set(instance, "publiclyAccessible", true);
      expect(await caught(doc, "rds-clusterinstance-disallow-public-access")).to.deep.equal([parseUrn(instance.urn).name]);
    });

    it("with the database security group admitting the VPC by CIDR", async () => {
      const doc = clone();
      const cluster = find(doc, "aws:rds/cluster:Cluster");
      const sgUrn = (cluster.propertyDependencies?.vpcSecurityGroupIds ?? [])[0];
      const sg = find(doc, "aws:ec2/securityGroup:SecurityGroup", (r) => r.urn === sgUrn);
      add(doc, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "mutation-db-cidr",
        { securityGroupId: sg.id ?? "", ipProtocol: "tcp", fromPort: 5432, toPort: 5432, cidrIpv4: "10.30.0.0/16" }, { securityGroupId: [sg.urn] }, sg);
      expect(await caught(doc, "rds-cluster-disallow-untrusted-ingress")).to.deep.equal(["mutation-db-cidr"]);
    });

    it("with tasks given public IPs", async () => {
      const doc = clone();
      const svc = find(doc, "aws:ecs/service:Service");
      set(svc, "networkConfiguration", { ...((svc.inputs?.networkConfiguration ?? {}) as Record<string, never>), assignPublicIp: true });
      expect(await caught(doc, "ecs-service-disallow-public-ip")).to.deep.equal([parseUrn(svc.urn).name]);
    });

    it("with the VPC's flow log removed", async () => {
      const doc = clone();
      const fl = find(doc, "aws:ec2/flowLog:FlowLog");
      all(doc).splice(all(doc).indexOf(fl), 1);
      expect(await caught(doc, "ec2-vpc-require-flow-logs")).to.deep.equal(["prod-vpc"]);
    });

    it("with a peering route widened to 0.0.0.0/0", async () => {
      const doc = clone();
      const route = find(doc, "aws:ec2/route:Route", (r) => r.inputs?.vpcPeeringConnectionId !== undefined);
      set(route, "destinationCidrBlock", "0.0.0.0/0");
      expect(await caught(doc, "ec2-route-disallow-broad-peering-destination")).to.deep.equal([parseUrn(route.urn).name]);
    });

    it("with prod peered to the dev stack instead of the management stack", async () => {
      const doc = clone();
      const ref = find(doc, "pulumi:pulumi:StackReference");
      set(ref, "name", "organization/platform/dev");
      expect(await caught(doc, "ec2-vpcpeeringconnection-disallow-cross-environment")).to.have.length(1);
    });

    it("with a log group's retention removed", async () => {
      const doc = clone();
      const lg = find(doc, "aws:cloudwatch/logGroup:LogGroup", (r) => typeof r.inputs?.kmsKeyId === "string");
      set(lg, "retentionInDays", undefined);
      expect(await caught(doc, "cloudwatch-loggroup-configure-retention")).to.deep.equal([parseUrn(lg.urn).name]);
    });

    it("with the session store accepting plaintext and opened to the VPC by CIDR (docs/cache.md)", async () => {
      const doc = clone();
      const rg = find(doc, "aws:elasticache/replicationGroup:ReplicationGroup");
      set(rg, "transitEncryptionMode", "preferred");
      const sg = find(doc, "aws:ec2/securityGroup:SecurityGroup", (r) => parseUrn(r.urn).name === "prod-cache-sg");
      add(doc, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "mutation-cache-cidr",
        { securityGroupId: sg.id ?? "", ipProtocol: "tcp", fromPort: 6379, toPort: 6379, cidrIpv4: "10.30.0.0/16" }, { securityGroupId: [sg.urn] }, sg);
      expect(await caught(doc, "elasticache-replicationgroup-require-encryption-in-transit")).to.deep.equal(["prod-cache-group"]);
      expect(await caught(doc, "elasticache-replicationgroup-disallow-untrusted-ingress")).to.deep.equal(["mutation-cache-cidr"]);
    });
  });
});
