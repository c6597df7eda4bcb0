import { expect } from "chai";
import { policies } from "../../policies/deployments";
import { Fixture, checkFixture, violationsOf } from "../support/policy-harness";
import { policyTests } from "./cases";
import { prodFixture } from "./fixtures";

/**
 * Release-style policies. The production fixture's service deploys rolling; `blueGreen` turns it
 * into a compliant ECS native blue/green service (second target group, production and test
 * listener rules, infrastructure role, rollback alarms, a test listener on 8443 open to the VPC
 * only), and each case then breaks one thing.
 */
function blueGreen(f: Fixture): void {
  const green = f.add("aws:lb/targetGroup:TargetGroup", "prod-app-tg-green", {
    port: 8080, protocol: "HTTP", targetType: "ip", vpcId: f.get("prod-vpc").id, deregistrationDelay: 30,
    healthCheck: { enabled: true, path: "/healthz", matcher: "200", protocol: "HTTP" },
  });
  const blue = f.get("prod-app-tg");
  const forward = [{ type: "forward", forward: { targetGroups: [{ arn: blue.arn, weight: 100 }, { arn: green.arn, weight: 0 }] } }];
  const ruleArn = (n: string) => ({ outputs: { arn: `arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:listener-rule/app/prod/50dc6c495c0c9188/${n}` } });
  const prodRule = f.add("aws:lb/listenerRule:ListenerRule", "prod-app-rule", { listenerArn: f.get("prod-https").arn, priority: 100, actions: forward, conditions: [{ pathPattern: { values: ["/*"] } }] }, ruleArn("f2f7dc8efc522ab2/1"));
  const testListener = f.add("aws:lb/listener:Listener", "prod-app-test", {
    loadBalancerArn: f.get("prod-alb").arn, port: 8443, protocol: "HTTPS", certificateArn: f.get("prod-cert").arn, sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    defaultActions: [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", messageBody: "Not Found", statusCode: "404" } }],
  });
  const testRule = f.add("aws:lb/listenerRule:ListenerRule", "prod-app-test-rule", { listenerArn: testListener.arn, priority: 100, actions: forward, conditions: [{ pathPattern: { values: ["/*"] } }] }, ruleArn("0467ef3c8400ae65/2"));
  f.add("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "prod-app-test-in", {
    securityGroupId: f.get("prod-alb-sg").id, ipProtocol: "tcp", fromPort: 8443, toPort: 8443, cidrIpv4: "10.30.0.0/16", description: "Test listener from the VPC",
  });
  const role = f.add("aws:iam/role:Role", "prod-app-ecs-lb-role", {
    assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ecs.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
  });
  f.update("prod-app-svc", (i) => {
    i.deploymentController = { type: "ECS" };
    i.deploymentConfiguration = { strategy: "BLUE_GREEN", bakeTimeInMinutes: "15" };
    i.alarms = { alarmNames: ["prod-app-5xx-blue", "prod-app-5xx-green"], enable: true, rollback: true };
    i.loadBalancers = [
      {
        targetGroupArn: blue.arn, containerName: "app", containerPort: 8080,
        advancedConfiguration: { alternateTargetGroupArn: green.arn, productionListenerRule: prodRule.arn, testListenerRule: testRule.arn, roleArn: role.arn },
      },
    ];
  });
}

const advanced = (f: Fixture, change: (a: Record<string, unknown>) => void) =>
  f.update("prod-app-svc", (i) => change(((i.loadBalancers as Array<Record<string, unknown>>)[0].advancedConfiguration) as Record<string, unknown>));

describe("policies/deployments.ts: a compliant blue/green service", function () {
  this.timeout(180000);
  it("passes every release policy", async () => {
    const f = prodFixture();
    blueGreen(f);
    const result = await checkFixture(f, { config: "prod" });
    expect(policies.flatMap((p) => violationsOf(result, p.name))).to.deep.equal([]);
  });
});

policyTests("policies/deployments.ts", policies, [
  {
    policy: "ecs-service-require-blue-green-resources",
    title: "a blue/green service has no alternate target group and no test listener rule",
    mutate: (f) => {
      blueGreen(f);
      advanced(f, (a) => {
        delete a.alternateTargetGroupArn;
        delete a.testListenerRule;
      });
    },
    messages: [
      "Strategy BLUE_GREEN without loadBalancers[0].advancedConfiguration.alternateTargetGroupArn, loadBalancers[0].advancedConfiguration.testListenerRule; give the service a second target group, the production and test listener rules and the ECS infrastructure role.",
    ],
  },
  {
    policy: "ecs-service-require-blue-green-resources",
    title: "a canary service names its primary target group as the alternate",
    mutate: (f) => {
      blueGreen(f);
      f.update("prod-app-svc", (i) => (i.deploymentConfiguration = { strategy: "CANARY", canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: "5" } }));
      advanced(f, (a) => (a.alternateTargetGroupArn = f.get("prod-app-tg").arn));
    },
    messages: ["loadBalancers[0] uses the same target group as primary and alternate; create a second target group for the new revision."],
  },
  {
    policy: "ecs-service-require-blue-green-resources",
    title: "a linear service runs under the CODE_DEPLOY controller",
    mutate: (f) => {
      blueGreen(f);
      f.update("prod-app-svc", (i) => {
        i.deploymentConfiguration = { strategy: "LINEAR" };
        i.deploymentController = { type: "CODE_DEPLOY" };
      });
    },
    messages: ['Strategy LINEAR needs the ECS deployment controller, not CODE_DEPLOY; set deploymentController.type: "ECS".'],
  },
  {
    policy: "ecs-service-require-rollback-alarms",
    title: "a blue/green service watches alarms without rolling back",
    mutate: (f) => {
      blueGreen(f);
      f.update("prod-app-svc", (i) => (i.alarms = { alarmNames: ["prod-app-5xx-blue"], enable: true, rollback: false }));
    },
    messages: [
      "Strategy BLUE_GREEN has no alarm-based rollback (the circuit breaker serves rolling deployments only); set alarms { alarmNames: [5xx and unhealthy-host alarms of both target groups], enable: true, rollback: true }.",
    ],
  },
  {
    policy: "ecs-service-require-rollback-alarms",
    title: "a blue/green service in dev has no alarms (advisory there)",
    config: "dev",
    level: "advisory",
    mutate: (f) => {
      blueGreen(f);
      f.update("prod-app-svc", (i) => delete i.alarms);
    },
    messages: [
      "Strategy BLUE_GREEN has no alarm-based rollback (the circuit breaker serves rolling deployments only); set alarms { alarmNames: [5xx and unhealthy-host alarms of both target groups], enable: true, rollback: true }.",
    ],
  },
  {
    policy: "lb-listener-disallow-public-test-listener",
    title: "the test listener's port is open to the internet",
    mutate: (f) => {
      blueGreen(f);
      f.update("prod-app-test-in", (i) => (i.cidrIpv4 = "0.0.0.0/0"));
    },
    messages: [
      'Listener "prod-app-test" is the test listener of Service "prod-app-svc" (it serves the unreleased revision), and SecurityGroupIngressRule "prod-app-test-in" opens its port 8443 to 0.0.0.0/0; admit only the VPC and office CIDRs.',
    ],
  },
  {
    policy: "ecs-service-configure-graceful-shutdown",
    title: "the target group drains longer than the container's stopTimeout (the AWS default 300 s)",
    mutate: (f) => f.update("prod-app-tg", (i) => delete i.deregistrationDelay),
    messages: [
      'TargetGroup "prod-app-tg" drains for 300 s but Container "app" of TaskDefinition "prod-app-td" is killed 30 s after SIGTERM; set the target group\'s deregistrationDelay to at most 30 or raise the container\'s stopTimeout (Fargate max 120).',
    ],
  },
]);
