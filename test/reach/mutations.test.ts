import { expect } from "chai";
import { shippedArchitecture } from "../../cli/reach/architecture";
import { IntentResult, checkIntents } from "../../cli/reach/intents";
import { ReachResource, buildModel } from "../../cli/reach/model";
import { STACK_ORDER } from "../../infra/stacks";
import { find, mutate, shippedResources } from "./shipped";

/**
 * The shipped stacks hold every intent; then each is broken one resource at a time, the way a
 * reviewer would break it, and `platform reach` must name the intent that breaks and the exact
 * component that blocks it.
 */

const run = (stack: string, resources: readonly ReachResource[]): IntentResult[] => checkIntents(buildModel(resources), shippedArchitecture(stack));
const broken = (results: readonly IntentResult[]) => results.filter((r) => !r.holds);
const urnOf = (resources: readonly ReachResource[], type: string, name: string) => find(resources, type, name).urn;

const ACL_RULE = "ec2/networkAclRule:NetworkAclRule";
const ACL = "ec2/networkAcl:NetworkAcl";
const RT = "ec2/routeTable:RouteTable";
const ROUTE = "ec2/route:Route";
const SG = "ec2/securityGroup:SecurityGroup";
const INGRESS = "vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "vpc/securityGroupEgressRule:SecurityGroupEgressRule";

describe("platform reach over the shipped stacks", function () {
  this.timeout(300000);
  const resources = new Map<string, ReachResource[]>();

  before(async () => {
    for (const stack of STACK_ORDER) resources.set(stack, await shippedResources(stack));
  });

  for (const stack of STACK_ORDER) {
    it(`${stack}: every intent holds`, () => {
      const results = run(stack, resources.get(stack)!);
      expect(results.length).to.be.greaterThan(0);
      expect(broken(results).map((r) => `${r.id}: ${r.blockedBy?.detail ?? r.result}`)).to.deep.equal([]);
    });
  }

  it("prod checks one intent per AZ pair: 3 ALB AZs × 3 task AZs for ALB → hello, 3 × 3 per interface endpoint", () => {
    const results = run("prod", resources.get("prod")!);
    expect(results.filter((r) => r.id.startsWith("allow:alb>service/hello:8080:")).length).to.equal(9);
    expect(results.filter((r) => r.id.startsWith("allow:service/hello>endpoint/")).length).to.equal(5 * 9);
    // Prod is behind the edge: CloudFront reaches the ALB in each of its AZs, the internet in none.
    expect(results.filter((r) => r.id.startsWith("allow:cloudfront>alb:443:")).map((r) => r.to.az)).to.deep.equal(["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"]);
    expect(results.filter((r) => r.id.startsWith("deny:internet>alb:443:")).map((r) => [r.to.az, r.holds])).to.deep.equal([
      ["ap-northeast-2a", true],
      ["ap-northeast-2b", true],
      ["ap-northeast-2c", true],
    ]);
  });

  it("fails without the private ACL's endpoint rule: 6 of 9 AZ pairs per endpoint break (the cross-AZ ones), for the service and the bootstrap task, at the private ACL's implicit deny", () => {
    const prod = resources.get("prod")!;
    const got = broken(run("prod", mutate(prod, ACL_RULE, "prod-private-in-190", "remove")));
    const ecr = got.filter((r) => r.id.startsWith("allow:service/hello>endpoint/ecr.api:"));
    expect(ecr.length).to.equal(6);
    expect(ecr.every((r) => r.from.az !== r.to.az)).to.equal(true);
    // 5 endpoints × 6 cross-AZ pairs, for each of hello and db-bootstrap (same private subnets).
    expect(got.filter((r) => r.id.startsWith("allow:task/db-bootstrap>endpoint/")).length).to.equal(5 * 6);
    expect(got.length).to.equal(2 * 5 * 6);
    expect(new Set(got.map((r) => r.blockedBy?.urn))).to.deep.equal(new Set([urnOf(prod, ACL, "prod-private")]));
    expect(ecr[0].blockedBy?.detail).to.contain("ports 443 denied by rule * (implicit deny: no rule matches) of prod-private");
  });

  const cases: Array<{
    what: string;
    stack: string;
    apply: (rs: ReachResource[]) => ReachResource[];
    intent: string;
    blockedBy: (rs: ReachResource[]) => string;
    count?: number;
  }> = [
    {
      what: "an ACL rule moved behind a new deny (isolated tier: the database rule renumbered after a deny of the private tier)",
      stack: "prod",
      apply: (rs) => [
        ...mutate(rs, ACL_RULE, "prod-isolated-in-100", { ruleNumber: 160 }),
        { ...find(rs, ACL_RULE, "prod-isolated-in-100"), urn: "urn:pulumi:prod::platform::aws:ec2/networkAclRule:NetworkAclRule::deny-150", id: "deny-150", props: { ...find(rs, ACL_RULE, "prod-isolated-in-100").props, ruleNumber: 150, ruleAction: "deny", fromPort: 0, toPort: 65535 } },
      ],
      intent: "allow:service/hello>database:5432:",
      blockedBy: () => "urn:pulumi:prod::platform::aws:ec2/networkAclRule:NetworkAclRule::deny-150",
      count: 9,
    },
    {
      what: "the public ACL's ephemeral egress removed (replies to CloudFront dropped)",
      stack: "prod",
      apply: (rs) => mutate(rs, ACL_RULE, "prod-public-out-200", "remove"),
      intent: "allow:cloudfront>alb:443:",
      blockedBy: (rs) => urnOf(rs, ACL, "prod-public"),
      count: 3,
    },
    {
      what: "the private ACL's ephemeral egress retargeted to the isolated tier (replies to the ALB dropped)",
      stack: "prod",
      apply: (rs) => mutate(rs, ACL_RULE, "prod-private-out-200", { cidrBlock: "10.30.160.0/19" }),
      intent: "allow:alb>service/hello:8080:",
      blockedBy: (rs) => urnOf(rs, ACL, "prod-private"),
      count: 9,
    },
    {
      what: "the service group's ALB rule retargeted to the endpoints' group",
      stack: "prod",
      apply: (rs) => mutate(rs, INGRESS, "prod-svc-hello-from-alb", { referencedSecurityGroupId: find(rs, SG, "prod-endpoints").id }),
      intent: "allow:alb>service/hello:8080:",
      blockedBy: (rs) => urnOf(rs, SG, "prod-svc-hello-sg"),
      count: 9,
    },
    {
      what: "the default route removed in one AZ (private-2): only AZ b loses the internet",
      stack: "prod",
      apply: (rs) => mutate(rs, ROUTE, "prod-private-2-default", "remove"),
      intent: "allow:service/hello>internet:443:ap-northeast-2b>",
      blockedBy: (rs) => urnOf(rs, RT, "prod-private-2"),
      count: 1,
    },
    {
      what: "the NAT instance's source/destination check turned on",
      stack: "dev",
      apply: (rs) => mutate(rs, "ec2/instance:Instance", "dev-nat-instance", { sourceDestCheck: true }),
      intent: "allow:service/hello>internet:443:",
      blockedBy: (rs) => urnOf(rs, "ec2/instance:Instance", "dev-nat-instance"),
      count: 2,
    },
    {
      what: "the endpoints' group closed (its HTTPS ingress removed)",
      stack: "prod",
      apply: (rs) => mutate(rs, INGRESS, "prod-endpoints-in-443", "remove"),
      intent: "allow:service/hello>endpoint/sts:443:",
      blockedBy: (rs) => urnOf(rs, SG, "prod-endpoints"),
      count: 9,
    },
    {
      what: "the peering route on the environment side only removed (isolated tier): no route back",
      stack: "prod",
      apply: (rs) => mutate(rs, ROUTE, "prod-shared-prod-isolated-1", "remove"),
      intent: "allow:management-bastion>database:5432:",
      blockedBy: (rs) => urnOf(rs, RT, "prod-isolated"),
      count: 6,
    },
    {
      what: "the peering route on the management side removed in AZ a: the bastion there falls to its NAT default route",
      stack: "staging",
      apply: (rs) => mutate(rs, ROUTE, "staging-shared-shared-private-1", "remove"),
      intent: "allow:management-bastion>database:5432:ap-northeast-2a>",
      blockedBy: (rs) => urnOf(rs, RT, "shared-private-1"),
      count: 3,
    },
    {
      what: "the management ACL's database egress rule (written by the environment stack into the shared ACL) removed",
      stack: "dev",
      apply: (rs) => mutate(rs, ACL_RULE, "dev-shared-shared-private-out-410", "remove"),
      intent: "allow:management-bastion>database:5432:",
      blockedBy: (rs) => urnOf(rs, ACL, "shared-private"),
      count: 4,
    },
    {
      what: "the public table's internet route removed",
      stack: "staging",
      apply: (rs) => mutate(rs, ROUTE, "staging-public-default", "remove"),
      intent: "allow:cloudfront>alb:443:",
      blockedBy: (rs) => urnOf(rs, RT, "staging-public"),
      count: 3,
    },
    {
      what: "the S3 gateway endpoint no longer associated with private table 3",
      stack: "prod",
      apply: (rs) => {
        const ep = find(rs, "ec2/vpcEndpoint:VpcEndpoint", "prod-s3");
        const rt3 = find(rs, RT, "prod-private-3").id;
        return mutate(rs, "ec2/vpcEndpoint:VpcEndpoint", "prod-s3", { routeTableIds: (ep.props.routeTableIds as string[]).filter((id) => id !== rt3) });
      },
      intent: "allow:service/hello>s3:443:ap-northeast-2c>",
      blockedBy: (rs) => urnOf(rs, RT, "prod-private-3"),
      count: 1,
    },
    {
      what: "the database's ingress rule for the service removed",
      stack: "staging",
      apply: (rs) => mutate(rs, INGRESS, "staging-svc-hello-db-in", "remove"),
      intent: "allow:service/hello>database:5432:",
      blockedBy: (rs) => urnOf(rs, SG, "staging-db-sg"),
      count: 9,
    },
    {
      what: "the database's ingress rule for the bootstrap task removed",
      stack: "staging",
      apply: (rs) => mutate(rs, INGRESS, "staging-db-bootstrap-db-in", "remove"),
      intent: "allow:task/db-bootstrap>database:5432:",
      blockedBy: (rs) => urnOf(rs, SG, "staging-db-sg"),
      count: 9,
    },
    {
      what: "the bootstrap group's egress to the database removed",
      stack: "prod",
      apply: (rs) => mutate(rs, EGRESS, "prod-db-bootstrap-db-out", "remove"),
      intent: "allow:task/db-bootstrap>database:5432:",
      blockedBy: (rs) => urnOf(rs, SG, "prod-db-bootstrap-sg"),
      count: 9,
    },
    {
      what: "the bootstrap group's HTTPS egress removed (dev: no endpoints, so ECR, Logs and Secrets Manager through the NAT instance)",
      stack: "dev",
      apply: (rs) => mutate(rs, EGRESS, "dev-db-bootstrap-https-out", "remove"),
      intent: "allow:task/db-bootstrap>internet:443:",
      blockedBy: (rs) => urnOf(rs, SG, "dev-db-bootstrap-sg"),
      count: 2,
    },
    {
      what: "the bootstrap group's HTTPS egress removed (prod: every interface endpoint, every AZ pair)",
      stack: "prod",
      apply: (rs) => mutate(rs, EGRESS, "prod-db-bootstrap-https-out", "remove"),
      intent: "allow:task/db-bootstrap>endpoint/",
      blockedBy: (rs) => urnOf(rs, SG, "prod-db-bootstrap-sg"),
      count: 5 * 9,
    },
    {
      what: "the bootstrap group's database egress pointed at the services' group",
      stack: "staging",
      apply: (rs) => mutate(rs, EGRESS, "staging-db-bootstrap-db-out", { referencedSecurityGroupId: find(rs, SG, "staging-svc-hello-sg").id }),
      intent: "allow:task/db-bootstrap>database:5432:",
      blockedBy: (rs) => urnOf(rs, SG, "staging-db-bootstrap-sg"),
      count: 9,
    },
    {
      what: "the HTTP listener removed (dev: the ALB faces the internet directly)",
      stack: "dev",
      apply: (rs) => mutate(rs, "lb/listener:Listener", "dev-alb-http", "remove"),
      intent: "allow:internet>alb:80:",
      blockedBy: (rs) => urnOf(rs, "lb/loadBalancer:LoadBalancer", "dev-alb-lb"),
      count: 2,
    },
    {
      what: "private subnet 1 associated with the isolated ACL",
      stack: "prod",
      apply: (rs) => mutate(rs, "ec2/networkAclAssociation:NetworkAclAssociation", "prod-private-1", { networkAclId: find(rs, ACL, "prod-isolated").id }),
      intent: "allow:alb>service/hello:8080:",
      blockedBy: (rs) => urnOf(rs, ACL, "prod-isolated"),
      count: 3,
    },
    {
      what: "NAT gateway 2 placed in a private subnet (no internet route there)",
      stack: "prod",
      apply: (rs) => mutate(rs, "ec2/natGateway:NatGateway", "prod-nat-2", { subnetId: find(rs, "ec2/subnet:Subnet", "prod-private-2").id }),
      intent: "allow:service/hello>internet:443:ap-northeast-2b>",
      blockedBy: (rs) => urnOf(rs, RT, "prod-private-2"),
      count: 1,
    },
    {
      what: "the service's tasks moved to the isolated subnets (no route to NAT)",
      stack: "dev",
      apply: (rs) => {
        const svc = find(rs, "ecs/service:Service", "dev-svc-hello-service");
        const iso = ["dev-isolated-1", "dev-isolated-2"].map((n) => find(rs, "ec2/subnet:Subnet", n).id);
        return mutate(rs, "ecs/service:Service", "dev-svc-hello-service", { networkConfiguration: { ...(svc.props.networkConfiguration as object), subnets: iso } });
      },
      intent: "allow:service/hello>internet:443:",
      blockedBy: (rs) => urnOf(rs, RT, "dev-isolated"),
      count: 2,
    },
  ];

  for (const c of cases) {
    it(`fails with ${c.what}: ${c.intent}… broken at the right component`, () => {
      const base = resources.get(c.stack)!;
      const got = broken(run(c.stack, c.apply(base))).filter((r) => r.id.startsWith(c.intent));
      if (c.count !== undefined) expect(got.length, got.map((r) => r.id).join("\n")).to.equal(c.count);
      expect(got.length).to.be.greaterThan(0);
      for (const r of got) {
        expect(r.expect).to.equal("allow");
        expect(r.result).to.equal("deny");
        expect(r.blockedBy?.urn, r.blockedBy?.detail).to.equal(c.blockedBy(base));
      }
    });
  }

  it("with the edge, the same route opens nothing: prod's ALB admits only CloudFront's prefix list", () => {
    const prod = resources.get("prod")!;
    const pub = find(prod, RT, "prod-public");
    const pcx = find(prod, "ec2/vpcPeeringConnection:VpcPeeringConnection", "prod-shared-connection");
    const extra: ReachResource = {
      urn: "urn:pulumi:prod::platform::aws:ec2/route:Route::prod-public-to-shared",
      type: "aws:ec2/route:Route",
      id: "r-extra",
      props: { routeTableId: pub.id, destinationCidrBlock: "10.0.0.0/16", vpcPeeringConnectionId: pcx.id },
    };
    const results = run("prod", [...prod, extra]).filter((r) => r.id.startsWith("deny:management-bastion>alb:443"));
    expect(results.map((r) => [r.holds, r.blockedBy?.urn])).to.deep.equal(results.map(() => [true, urnOf(prod, SG, "prod-alb-sg")]));
    expect(results.length).to.equal(3);
  });

  it("fails when a forbidden flow opens: a route back through the peering in dev's public table lets the management bastion reach the ALB (dev: no edge in front)", () => {
    const prod = resources.get("dev")!;
    const pub = find(prod, RT, "dev-public");
    const pcx = find(prod, "ec2/vpcPeeringConnection:VpcPeeringConnection", "dev-shared-connection");
    const extra: ReachResource = {
      urn: "urn:pulumi:dev::platform::aws:ec2/route:Route::dev-public-to-shared",
      type: "aws:ec2/route:Route",
      id: "r-extra",
      props: { routeTableId: pub.id, destinationCidrBlock: "10.0.0.0/16", vpcPeeringConnectionId: pcx.id },
    };
    const got = broken(run("dev", [...prod, extra]));
    expect(got.map((r) => r.id.split(":").slice(0, 3).join(":"))).to.deep.equal(["deny:management-bastion>alb:443", "deny:management-bastion>alb:443"]);
    expect(got[0].result).to.equal("allow");
    expect(got[0].path.map((h) => h.urn)).to.include(extra.urn);
  });
});
