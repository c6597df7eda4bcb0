import { expect } from "chai";
import type { DeploymentDocument, DeploymentResource } from "../../cli/cost/types";
import { documentIn, res } from "../support/documents";
import { checkQuotas } from "../../cli/preflight/check";
import { Contribution, countStack, DEFAULT_MAXIMUM_PERCENT } from "../../cli/preflight/count";
import { shippedQuotaTable } from "../../cli/preflight/quota-table";

/**
 * The counters on small hand-made deployment documents: one rule of AWS's per test, exact sums.
 */

const doc = (...resources: DeploymentResource[]) => documentIn("us-east-1", ...resources);
const of = (cs: readonly Contribution[], quota: string) => cs.filter((c) => c.quota === quota);
const sum = (cs: readonly Contribution[], quota: string) => of(cs, quota).reduce((n, c) => n + c.amount, 0);

function fargate(opts: { maxCapacity?: number; desiredCount?: number; cpu: string; maxPercent?: number; strategy?: unknown[] }): DeploymentDocument {
  const td = res("aws:ecs/taskDefinition:TaskDefinition", "td", { cpu: opts.cpu, memory: "1024" }, { id: "td-arn" });
  const svc = res("aws:ecs/service:Service", "svc", {
    name: "web",
    taskDefinition: "td-arn",
    ...(opts.desiredCount !== undefined ? { desiredCount: opts.desiredCount } : {}),
    ...(opts.maxPercent !== undefined ? { deploymentMaximumPercent: opts.maxPercent } : {}),
    ...(opts.strategy ? { capacityProviderStrategies: opts.strategy } : {}),
    networkConfiguration: { securityGroups: ["sg-1", "sg-2"] },
  });
  const target = res("aws:appautoscaling/target:Target", "scaling", { serviceNamespace: "ecs", resourceId: "service/c/web", maxCapacity: opts.maxCapacity, minCapacity: 1 });
  return opts.maxCapacity !== undefined ? doc(td, svc, target) : doc(td, svc);
}

describe("preflight counts (cli/preflight/count.ts)", () => {
  it("places every count at the account and Region of the resource's provider", () => {
    const c = countStack(doc(res("aws:ec2/eip:Eip", "nat-1", { domain: "vpc" })), "t");
    expect(c.location).to.deep.equal({ accounts: ["111111111111"], region: "us-east-1" });
    expect(of(c.contributions, "eips")).to.deep.equal([{ quota: "eips", amount: 1, stack: "t", resource: "nat-1", type: "aws:ec2/eip:Eip", location: { accounts: ["111111111111"], region: "us-east-1" } }]);
  });

  it("falls back to the stack's config location when the plan's provider names no account", () => {
    const d = doc(res("aws:ec2/eip:Eip", "e", {}));
    const p = d.deployment.resources![1] as { inputs: Record<string, unknown> };
    delete p.inputs.allowedAccountIds;
    expect(countStack(d, "t", { accounts: ["999999999999"], region: "eu-west-1" }).location).to.deep.equal({ accounts: ["999999999999"], region: "us-east-1" });
  });

  describe("Fargate vCPU at maximum scale", () => {
    it(`with an autoscaling target, counts maxCapacity x maximumPercent (default ${DEFAULT_MAXIMUM_PERCENT}%) x task vCPU`, () => {
      const c = countStack(fargate({ maxCapacity: 10, desiredCount: 2, cpu: "512" }), "t").contributions;
      expect(sum(c, "fargate-on-demand-vcpu")).to.equal(10); // 10 x 2 x 0.5
      expect(sum(c, "fargate-spot-vcpu")).to.equal(0);
    });

    it("without a target, counts desiredCount; maximumPercent 100 adds no surge", () => {
      expect(sum(countStack(fargate({ desiredCount: 3, cpu: "1024", maxPercent: 100 }), "t").contributions, "fargate-on-demand-vcpu")).to.equal(3);
    });

    it("rounds the deployment peak down, as ECS does (3 tasks x 150% = 4)", () => {
      expect(sum(countStack(fargate({ desiredCount: 3, cpu: "1024", maxPercent: 150 }), "t").contributions, "fargate-on-demand-vcpu")).to.equal(4);
    });

    it("splits by the capacity provider strategy (base first, then weight), rounding each share up", () => {
      const strategy = [
        { capacityProvider: "FARGATE", base: 1, weight: 1 },
        { capacityProvider: "FARGATE_SPOT", base: 0, weight: 1 },
      ];
      const c = countStack(fargate({ maxCapacity: 4, cpu: "256", strategy }), "t").contributions;
      // 8 tasks at peak: 1 base + 3.5 -> 5 on FARGATE, 3.5 -> 4 on FARGATE_SPOT.
      expect(sum(c, "fargate-on-demand-vcpu")).to.equal(1.25);
      expect(sum(c, "fargate-spot-vcpu")).to.equal(1);
      expect(sum(c, "network-interfaces")).to.equal(9);
    });

    it("adds the database bootstrap task (Role db-bootstrap, run by no service) once, on-demand, on top of the services' surge, with a note", () => {
      const bootstrap = (tags: Record<string, string>) =>
        res("aws:ecs/taskDefinition:TaskDefinition", "dev-db-bootstrap-task", { cpu: "256", memory: "512", requiresCompatibilities: ["FARGATE"], tags }, { id: "bootstrap-arn" });
      const base = fargate({ maxCapacity: 2, cpu: "512", strategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] });
      const withTask = (td: DeploymentResource) => ({ version: 3 as const, deployment: { resources: [...base.deployment.resources!, { ...td, provider: base.deployment.resources![1].urn + "::p1" }] } });
      const c = countStack(withTask(bootstrap({ Name: "dev-db-bootstrap-task", Role: "db-bootstrap" })), "t");
      // Spot for the service (4 x 0.5), on-demand for the bootstrap task: run-task --launch-type FARGATE.
      expect(sum(c.contributions, "fargate-spot-vcpu")).to.equal(2);
      expect(of(c.contributions, "fargate-on-demand-vcpu").map((x) => [x.resource, x.amount])).to.deep.equal([["dev-db-bootstrap-task", 0.25]]);
      expect(sum(c.contributions, "network-interfaces")).to.equal(4 + 1);
      expect(c.notes).to.include("dev-db-bootstrap-task: 1 one-off task (db-bootstrap, aws ecs run-task once per deploy, during the services' deployments): 1 on FARGATE, 0.25 vCPU");
      // Any other Role, or none, is an unused task definition: nothing runs it.
      expect(sum(countStack(withTask(bootstrap({ Role: "batch" })), "t").contributions, "fargate-on-demand-vcpu")).to.equal(0);
      expect(sum(countStack(withTask(bootstrap({})), "t").contributions, "fargate-on-demand-vcpu")).to.equal(0);
      // A service that runs it makes it a service's task definition, counted once as the service's.
      const served = fargate({ desiredCount: 1, cpu: "256", maxPercent: 100 });
      const td = served.deployment.resources!.find((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition")! as { inputs: Record<string, unknown> };
      td.inputs.tags = { Role: "db-bootstrap" };
      expect(sum(countStack(served, "t").contributions, "fargate-on-demand-vcpu")).to.equal(0.25);
    });

    it("counts the service's security groups against the per-interface quota", () => {
      expect(of(countStack(fargate({ desiredCount: 1, cpu: "256" }), "t").contributions, "security-groups-per-eni").map((x) => [x.amount, x.subject])).to.deep.equal([[2, "t/svc"]]);
    });
  });

  it("counts each NAT gateway against its subnet's Availability Zone", () => {
    const c = countStack(
      doc(
        res("aws:ec2/subnet:Subnet", "pub-1", { availabilityZone: "us-east-1a", vpcId: "vpc-1" }, { id: "subnet-a" }),
        res("aws:ec2/subnet:Subnet", "pub-2", { availabilityZone: "us-east-1b", vpcId: "vpc-1" }, { id: "subnet-b" }),
        res("aws:ec2/natGateway:NatGateway", "nat-1", { subnetId: "subnet-a" }),
        res("aws:ec2/natGateway:NatGateway", "nat-2", { subnetId: "subnet-b" }),
        res("aws:ec2/natGateway:NatGateway", "nat-3", { subnetId: "subnet-a" }),
      ),
      "t",
    ).contributions;
    expect(of(c, "nat-gateways-per-az").map((x) => x.subject)).to.deep.equal(["us-east-1a", "us-east-1b", "us-east-1a"]);
  });

  it("counts NACL rules per ACL, direction and family, plus each direction's default deny rule", () => {
    const c = countStack(
      doc(
        res("aws:ec2/networkAcl:NetworkAcl", "private", { vpcId: "vpc-1" }, { id: "acl-1" }),
        res("aws:ec2/networkAclRule:NetworkAclRule", "in-100", { networkAclId: "acl-1", egress: false, cidrBlock: "10.0.0.0/16" }),
        res("aws:ec2/networkAclRule:NetworkAclRule", "in-110", { networkAclId: "acl-1", egress: false, cidrBlock: "10.1.0.0/16" }),
        res("aws:ec2/networkAclRule:NetworkAclRule", "in-120", { networkAclId: "acl-1", egress: false, ipv6CidrBlock: "::/0" }),
        res("aws:ec2/networkAclRule:NetworkAclRule", "out-100", { networkAclId: "acl-1", egress: true, cidrBlock: "0.0.0.0/0" }),
      ),
      "t",
    );
    const report = checkQuotas([c], shippedQuotaTable(), {});
    const q = report.accounts[0].quotas.find((x) => x.id === "rules-per-network-acl")!;
    expect([q.used, q.subject]).to.deep.equal([3, "t/private (IPv4 inbound)"]);
    const bySubject = new Map<string, number>();
    for (const x of of(c.contributions, "rules-per-network-acl")) bySubject.set(x.subject!, (bySubject.get(x.subject!) ?? 0) + x.amount);
    expect(Object.fromEntries(bySubject)).to.deep.equal({ "acl-1:IPv4 inbound": 3, "acl-1:IPv4 outbound": 2, "acl-1:IPv6 inbound": 1 });
  });

  it("counts one security group rule per source: an inline entry with three CIDRs is three rules", () => {
    const c = countStack(
      doc(
        res("aws:ec2/securityGroup:SecurityGroup", "web", { ingress: [{ cidrBlocks: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"], ipv6CidrBlocks: ["::/0"] }] }, { id: "sg-1" }),
        res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "extra", { securityGroupId: "sg-1", referencedSecurityGroupId: "sg-2" }),
        res("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "out", { securityGroupId: "sg-1", cidrIpv4: "0.0.0.0/0" }),
      ),
      "t",
    ).contributions;
    const bySubject: Record<string, number> = {};
    for (const x of of(c, "rules-per-security-group")) bySubject[x.subject!] = (bySubject[x.subject!] ?? 0) + x.amount;
    expect(bySubject).to.deep.equal({ "sg-1:IPv4 inbound": 4, "sg-1:IPv6 inbound": 1, "sg-1:IPv4 outbound": 1 });
  });

  it("counts a peering connection against both VPCs, the peer's in the peer owner's account and Region", () => {
    const c = countStack(doc(res("aws:ec2/vpcPeeringConnection:VpcPeeringConnection", "pcx", { vpcId: "vpc-a", peerVpcId: "vpc-b", peerOwnerId: "222222222222", peerRegion: "eu-west-1" })), "t").contributions;
    expect(of(c, "peering-per-vpc").map((x) => [x.subject, x.location])).to.deep.equal([
      ["vpc-a", { accounts: ["111111111111"], region: "us-east-1" }],
      ["vpc-b", { accounts: ["222222222222"], region: "eu-west-1" }],
    ]);
  });

  it("adds each VPC's main route table, default network ACL and default security group", () => {
    const c = countStack(doc(res("aws:ec2/vpc:Vpc", "vpc", { cidrBlock: "10.0.0.0/16" }, { id: "vpc-1" }), res("aws:ec2/routeTable:RouteTable", "rt", { vpcId: "vpc-1" })), "t").contributions;
    expect([sum(c, "vpcs"), sum(c, "route-tables-per-vpc"), sum(c, "network-acls-per-vpc"), sum(c, "security-groups")]).to.deep.equal([1, 2, 1, 1]);
  });

  it("counts Aurora at its reader autoscaling maximum: writer + maxCapacity replicas", () => {
    const c = countStack(
      doc(
        res("aws:rds/cluster:Cluster", "db", { clusterIdentifier: "app" }, { id: "app" }),
        res("aws:rds/clusterInstance:ClusterInstance", "db-1", { clusterIdentifier: "app" }),
        res("aws:rds/clusterInstance:ClusterInstance", "db-2", { clusterIdentifier: "app" }),
        res("aws:appautoscaling/target:Target", "readers", { serviceNamespace: "rds", resourceId: "cluster:app", maxCapacity: 4, minCapacity: 1 }),
      ),
      "t",
    );
    expect([sum(c.contributions, "db-clusters"), sum(c.contributions, "db-instances"), sum(c.contributions, "read-replicas-per-cluster")]).to.deep.equal([1, 5, 4]);
    expect(c.notes).to.deep.equal(["db: 5 instances at maximum scale (writer + maxCapacity 4 readers of readers), 2 declared"]);
  });

  it("counts ALB listeners, rules and the target groups its actions forward to, per load balancer", () => {
    const lb = res("aws:lb/loadBalancer:LoadBalancer", "alb", { loadBalancerType: "application", securityGroups: ["sg-1"], subnets: ["s1", "s2"] }, { id: "lb-arn" });
    const listener = res("aws:lb/listener:Listener", "https", { loadBalancerArn: "lb-arn", defaultActions: [{ type: "forward", targetGroupArn: "tg-1" }] }, { id: "l-arn" });
    const rule = res("aws:lb/listenerRule:ListenerRule", "r", { listenerArn: "l-arn", actions: [{ type: "forward", forward: { targetGroups: [{ arn: "tg-2" }, { arn: "tg-1" }] } }] });
    const c = countStack(doc(lb, listener, rule, res("aws:lb/listener:Listener", "http", { loadBalancerArn: "lb-arn" })), "t").contributions;
    expect([sum(c, "albs"), sum(c, "listeners-per-alb"), sum(c, "rules-per-alb"), sum(c, "target-groups-per-alb"), sum(c, "network-interfaces")]).to.deep.equal([1, 2, 1, 2, 2]);
  });
});
