import { expect } from "chai";
import { parseDeployment } from "../../cli/policy/deployment";
import { ReachResource } from "../../cli/reach/model";
import { checkDocument, violationsOf } from "../support/policy-harness";
import { documentOf, shippedResources } from "../reach/shipped";

const POLICY = "ec2-vpc-require-intended-reachability";

/**
 * The reachability policy through the real pack (analyzer protocol), on prod's plan: it sees only
 * prod's resources, recovers their ids, and reports each broken intent at the blocking resource.
 */
describe(`${POLICY} (stack policy)`, function () {
  this.timeout(300000);
  let prod: ReachResource[];
  before(async () => {
    prod = await shippedResources("prod");
  });

  it("passes on the shipped prod plan", async () => {
    const result = await checkDocument(parseDeployment(documentOf(prod, "prod"), "prod"), { config: "prod" });
    expect(violationsOf(result, POLICY)).to.deep.equal([]);
  });

  it("fails without the private ACL's endpoint rule: one mandatory violation per broken AZ pair, at the private ACL", async () => {
    const broken = prod.filter((r) => !r.urn.endsWith("NetworkAclRule::prod-private-in-190"));
    const result = await checkDocument(parseDeployment(documentOf(broken, "prod"), "prod"), { config: "prod" });
    const got = violationsOf(result, POLICY);
    // 5 endpoints × 6 cross-AZ pairs, for ECS service hello and for the database bootstrap task.
    expect(got.length).to.equal(60);
    expect(new Set(got.map((v) => v.urn))).to.deep.equal(new Set(["urn:pulumi:prod::platform::platform:network:Vpc$aws:ec2/networkAcl:NetworkAcl::prod-private"]));
    expect(got.every((v) => v.level === "mandatory")).to.equal(true);
    expect(got.map((v) => v.message)).to.include(
      "Traffic ECS service hello (ap-northeast-2a) → interface endpoint sts (ap-northeast-2c) on tcp 443 must be allowed (private DNS answers with the endpoint's interfaces in every AZ, so every task AZ reaches every endpoint AZ); it is dropped at network ACL prod-private (prod-private-3): inbound request from ECS service hello (10.30.0.0/19) tcp 443: ports 443 denied by rule * (implicit deny: no rule matches) of prod-private [allow:service/hello>endpoint/sts:443:ap-northeast-2a>ap-northeast-2c].",
    );
  });

  it("covers the database bootstrap task: without the database's rule admitting its group, 9 violations (3 × 3 AZ pairs) at the database's group", async () => {
    const broken = prod.filter((r) => !r.urn.endsWith("SecurityGroupIngressRule::prod-db-bootstrap-db-in"));
    const result = await checkDocument(parseDeployment(documentOf(broken, "prod"), "prod"), { config: "prod" });
    const got = violationsOf(result, POLICY);
    expect(got.length).to.equal(9);
    expect(got.every((v) => /\[allow:task\/db-bootstrap>database:5432:ap-northeast-2[abc]>ap-northeast-2[abc]\]\.$/.test(v.message))).to.equal(true);
    expect(new Set(got.map((v) => v.urn))).to.deep.equal(new Set(["urn:pulumi:prod::platform::platform:database:Aurora$aws:ec2/securityGroup:SecurityGroup::prod-db-sg"]));
  });

  it("fails when the internet can reach a task: the ALB's group opened to the service port and the tasks given public IPs in public subnets", async () => {
    const pub = ["prod-public-1", "prod-public-2", "prod-public-3"].map((n) => prod.find((r) => r.urn.endsWith(`Subnet::${n}`))!.id);
    const changed = prod.map((r) => {
      if (r.urn.endsWith("Service::prod-svc-hello-service")) {
        return { ...r, props: { ...r.props, networkConfiguration: { ...(r.props.networkConfiguration as object), subnets: pub, assignPublicIp: true } } };
      }
      if (r.urn.endsWith("SecurityGroupIngressRule::prod-svc-hello-from-alb")) {
        return { ...r, props: { ...r.props, referencedSecurityGroupId: undefined, cidrIpv4: "0.0.0.0/0" } };
      }
      return r;
    });
    const result = await checkDocument(parseDeployment(documentOf(changed, "prod"), "prod"), { config: "prod" });
    const open = violationsOf(result, POLICY).filter((v) => v.message.includes("must be denied"));
    expect(open.map((v) => v.message)).to.include(
      "Traffic internet → ECS service hello (ap-northeast-2a) on tcp 8080 must be denied (only the ALB listeners face the internet); every hop admits it [deny:internet>service/hello:8080:internet>ap-northeast-2a].",
    );
  });
});
