import { expect } from "chai";
import fc from "fast-check";
import { targetGroupName, ELB_NAME_PATTERN } from "../../../infra/app/names";
import {
  ECS_STRATEGY,
  alternateTargetGroupName,
  ecsDeploymentConfiguration,
  ecsLoadBalancerInfrastructurePolicyArn,
  hookInvokePolicy,
  planRelease,
  releaseAlarmSpecs,
  requestsPerTargetMetrics,
} from "../../../infra/app/release";
import { ReleaseConfig, ReleaseConfigSchema } from "../../../infra/app/release-config";
import { problemsOfEditedStack as problemsOf } from "../config/problems";
import { T, evaluateVariant, input, one, ofType } from "./evaluated";

type Service = Record<string, unknown>;
const services = (c: Record<string, unknown>) => c["platform:services"] as Service[];
const FILE = "environments/Pulumi.dev.yaml";
const HOOK = "arn:aws:lambda:ap-northeast-2:123456789012:function:invalidate-cdn";
const cfg = (raw: Record<string, unknown>): ReleaseConfig => ReleaseConfigSchema.parse(raw);

describe("app/release: planning (pure)", () => {
  it("with no deployment settings, plans rolling with min 100 / max 200 percent", () => {
    expect(planRelease(cfg({}), "10.10.0.0/16")).to.deep.equal({ style: "rolling", minHealthyPercent: 100, maxPercent: 200 });
    expect(ecsDeploymentConfiguration(planRelease(cfg({}), "10.10.0.0/16"))).to.deep.equal({ strategy: "ROLLING" });
  });

  const cases: Array<{ name: string; raw: Record<string, unknown>; expected: ReturnType<typeof ecsDeploymentConfiguration> }> = [
    { name: "blueGreen with defaults bakes 10 minutes", raw: { style: "blueGreen", testListenerPort: 8443 }, expected: { strategy: "BLUE_GREEN", bakeTimeInMinutes: "10" } },
    {
      name: "canary with defaults sends 10% for 5 minutes",
      raw: { style: "canary", testListenerPort: 8443 },
      expected: { strategy: "CANARY", bakeTimeInMinutes: "10", canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: "5" } },
    },
    {
      name: "linear with 20% steps every 3 minutes",
      raw: { style: "linear", testListenerPort: 9443, bakeTimeMinutes: 0, linear: { stepPercent: 20, stepBakeTimeMinutes: 3 } },
      expected: { strategy: "LINEAR", bakeTimeInMinutes: "0", linearConfiguration: { stepPercent: 20, stepBakeTimeInMinutes: "3" } },
    },
  ];
  for (const c of cases) {
    it(`with ${c.name}`, () => {
      const plan = planRelease(cfg(c.raw), "10.30.0.0/16");
      const d = ecsDeploymentConfiguration(plan);
      expect(JSON.parse(JSON.stringify(d))).to.deep.equal(c.expected);
    });
  }

  it("maps every style to ECS's strategy name", () => {
    expect(ECS_STRATEGY).to.deep.equal({ rolling: "ROLLING", blueGreen: "BLUE_GREEN", canary: "CANARY", linear: "LINEAR" });
  });

  it("lets the VPC reach the test listener first, then the configured CIDRs, each once", () => {
    const plan = planRelease(cfg({ style: "blueGreen", testListenerPort: 8443, testListenerCidrs: ["203.0.113.0/24", "10.30.0.0/16"] }), "10.30.0.0/16");
    expect(plan).to.deep.include({ testListenerCidrs: ["10.30.0.0/16", "203.0.113.0/24"] });
  });

  it("passes hooks with the hook role and their details as JSON", () => {
    const plan = planRelease(cfg({ style: "blueGreen", testListenerPort: 8443, lifecycleHooks: [{ lambdaArn: HOOK, stages: ["PRODUCTION_TRAFFIC_SHIFT"], details: { distribution: "E123" } }] }), "10.30.0.0/16");
    expect(ecsDeploymentConfiguration(plan, "arn:aws:iam::123456789012:role/hook").lifecycleHooks).to.deep.equal([
      { hookTargetArn: HOOK, roleArn: "arn:aws:iam::123456789012:role/hook", lifecycleStages: ["PRODUCTION_TRAFFIC_SHIFT"], hookDetails: '{"distribution":"E123"}' },
    ]);
    expect(() => ecsDeploymentConfiguration(plan)).to.throw("lifecycle hooks need the hook role's ARN");
  });

  it("scopes the hook role to the named functions and their versions", () => {
    expect(hookInvokePolicy([`${HOOK}:live`, HOOK])).to.deep.equal({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [HOOK, `${HOOK}:*`] }],
    });
  });

  it("names the managed infrastructure policy in the region's partition", () => {
    expect(["ap-northeast-2", "cn-north-1", "us-gov-west-1"].map(ecsLoadBalancerInfrastructurePolicyArn)).to.deep.equal([
      "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers",
      "arn:aws-cn:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers",
      "arn:aws-us-gov:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers",
    ]);
  });

  it("watches 5xx and unhealthy hosts on both target groups (they swap roles every release)", () => {
    expect(releaseAlarmSpecs("hello").map((a) => [a.suffix, a.metricName, a.statistic, a.threshold, a.targetGroup])).to.deep.equal([
      ["5xx-blue", "HTTPCode_Target_5XX_Count", "Sum", 5, "primary"],
      ["unhealthy-blue", "UnHealthyHostCount", "Maximum", 0, "primary"],
      ["5xx-green", "HTTPCode_Target_5XX_Count", "Sum", 5, "alternate"],
      ["unhealthy-green", "UnHealthyHostCount", "Maximum", 0, "alternate"],
    ]);
  });

  it("names the alternate target group validly, within 32 characters, deterministically, never equal to any primary name", () => {
    const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/);
    fc.assert(
      fc.property(word, word, word, fc.integer({ min: 1, max: 65535 }), (project, stack, service, port) => {
        const alt = alternateTargetGroupName(project, stack, service, port);
        expect(alt.length).to.be.at.most(32);
        expect(alt).to.match(ELB_NAME_PATTERN);
        expect(alt).to.equal(alternateTargetGroupName(project, stack, service, port));
        expect(alt).to.not.equal(targetGroupName(project, stack, service, port));
        expect(alt).to.not.equal(targetGroupName(project, stack, `${service}-g`, port));
      }),
      { numRuns: 300 },
    );
  });
});

describe("app/release: refused configurations (exact messages)", () => {
  it("fails on an unknown style with a did-you-mean", () => {
    expect(problemsOf("dev", (c) => (services(c)[0].deployment = { style: "bluegreen" }))).to.deep.equal([
      {
        key: "platform:services[0].deployment.style",
        received: "bluegreen",
        allowed: 'one of "rolling", "blueGreen", "canary", "linear"',
        fix: `did you mean "blueGreen"? Set deployment.style to "blueGreen" in ${FILE}`,
      },
    ]);
  });

  it("fails on blueGreen without a test listener port", () => {
    expect(problemsOf("dev", (c) => (services(c)[0].deployment = { style: "blueGreen" }))).to.deep.equal([
      {
        key: "platform:services[0].deployment.testListenerPort",
        received: undefined,
        allowed: 'a port (1024-65535, not 3389) for the test listener that style "blueGreen" needs',
        fix: `add deployment.testListenerPort (e.g. 8443) to service "hello" in ${FILE}`,
      },
    ]);
  });

  for (const port of [443, 80, 3389]) {
    it(`fails on test listener port ${port}`, () => {
      expect(problemsOf("dev", (c) => (services(c)[0].deployment = { style: "canary", testListenerPort: port }))).to.deep.equal([
        {
          key: "platform:services[0].deployment.testListenerPort",
          received: port,
          allowed:
            "1024-65535 except 3389: the public subnets' network ACL admits those (its return-traffic rules) and the ALB security group decides who reaches the port; 80 and 443 are the production listeners",
          fix: "use e.g. 8443",
        },
      ]);
    });
  }

  it("fails on a test listener open to the world", () => {
    expect(problemsOf("dev", (c) => (services(c)[0].deployment = { style: "blueGreen", testListenerPort: 8443, testListenerCidrs: ["0.0.0.0/0"] }))).to.deep.equal([
      {
        key: "platform:services[0].deployment.testListenerCidrs[0]",
        received: "0.0.0.0/0",
        allowed: "a block of at most /8: the test listener serves unreleased code and is never open to the world",
        fix: "name the office's public range (e.g. 203.0.113.0/24)",
      },
    ]);
  });

  it("fails on a test listener range the office can never arrive from: its LAN behind the VPN (the ALB is internet-facing; no edge-to-edge routing across the peering)", () => {
    const file = "environments/Pulumi.prod.yaml";
    const edited = (cidrs: string[]) =>
      problemsOf("prod", (c) => {
        const s = services(c)[0];
        s.deployment = { ...(s.deployment as Record<string, unknown>), testListenerCidrs: cidrs };
      });
    expect(edited(["192.168.0.0/20"])).to.deep.equal([
      {
        key: "platform:services[0].deployment.testListenerCidrs[0]",
        received: "192.168.0.0/20",
        allowed:
          "a public range, or one inside this VPC (10.30.0.0/16, admitted already): the ALB is internet-facing, so the office arrives from its public address; " +
          "a private range elsewhere (an office LAN behind the VPN, another VPC) never reaches it, since the VPN ends in the management VPC and AWS does not route edge to edge across the peering",
        fix: `replace it with the office's public (NAT) range, e.g. "203.0.113.0/24", in ${file} (docs/releases.md, "Who reaches the test listener")`,
      },
    ]);
    expect(edited(["10.0.0.0/16"]).map((p) => [p.key, p.received])).to.deep.equal([["platform:services[0].deployment.testListenerCidrs[0]", "10.0.0.0/16"]]);
  });

  it("with the office's public range or a range inside the VPC as test listener sources, passes", () => {
    expect(
      problemsOf("prod", (c) => {
        const s = services(c)[0];
        s.deployment = { ...(s.deployment as Record<string, unknown>), testListenerCidrs: ["203.0.113.0/24", "10.30.0.0/16", "10.30.128.0/19"] };
      }),
    ).to.deep.equal([]);
  });

  it("fails on rolling-only percents with a traffic-shift style, and on canary settings with blueGreen", () => {
    expect(
      problemsOf("dev", (c) => (services(c)[0].deployment = { style: "blueGreen", testListenerPort: 8443, maxPercent: 150, canary: { percent: 5 } })),
    ).to.deep.equal([
      {
        key: "platform:services[0].deployment.maxPercent",
        received: 150,
        allowed: 'set only with style rolling: ECS starts a full green revision beside blue for style "blueGreen"',
        fix: "remove deployment.maxPercent",
      },
      {
        key: "platform:services[0].deployment.canary",
        received: { percent: 5, bakeTimeMinutes: 5 },
        allowed: 'set only with style canary (style is "blueGreen")',
        fix: "remove deployment.canary, or set style: canary",
      },
    ]);
  });

  it("fails on a test listener port with rolling (a setting that would do nothing)", () => {
    expect(problemsOf("dev", (c) => (services(c)[0].deployment = { testListenerPort: 8443 }))).to.deep.equal([
      {
        key: "platform:services[0].deployment.testListenerPort",
        received: 8443,
        allowed: 'set only with style blueGreen, canary or linear (style is "rolling")',
        fix: "remove deployment.testListenerPort, or change deployment.style",
      },
    ]);
  });

  it("fails on a canary percent ECS does not accept (0.1-100)", () => {
    expect(problemsOf("dev", (c) => (services(c)[0].deployment = { style: "canary", testListenerPort: 8443, canary: { percent: 0 } })).map((p) => p.key)).to.deep.equal([
      "platform:services[0].deployment.canary.percent",
    ]);
  });

  it("fails on canary and linear shares that are not a multiple of 0.1 (ECS API Reference), with the nearest valid value", () => {
    expect(problemsOf("dev", (c) => (services(c)[0].deployment = { style: "canary", testListenerPort: 8443, canary: { percent: 12.25 } }))).to.deep.equal([
      {
        key: "platform:services[0].deployment.canary.percent",
        received: 12.25,
        allowed: "a multiple of 0.1 (ECS takes traffic shares in tenths of a percent)",
        fix: "use 12.3",
      },
    ]);
    expect(problemsOf("dev", (c) => (services(c)[0].deployment = { style: "linear", testListenerPort: 8443, linear: { stepPercent: 33.33 } })).map((p) => [p.key, p.fix])).to.deep.equal([
      ["platform:services[0].deployment.linear.stepPercent", "use 33.3"],
    ]);
    // Tenths pass, whatever binary floating point makes of them.
    for (const percent of [0.1, 0.3, 12.3, 33.3, 100]) {
      expect(problemsOf("dev", (c) => (services(c)[0].deployment = { style: "canary", testListenerPort: 8443, canary: { percent } })), String(percent)).to.deep.equal([]);
    }
  });

  it("fails on a hook with a misspelt stage, with a did-you-mean, and on a hook ARN that is not a function", () => {
    expect(
      problemsOf("dev", (c) => (services(c)[0].deployment = { style: "blueGreen", testListenerPort: 8443, lifecycleHooks: [{ lambdaArn: "invalidate-cdn", stages: ["PRODUCTION_TRAFIC_SHIFT"] }] })),
    ).to.deep.equal([
      {
        key: "platform:services[0].deployment.lifecycleHooks[0].lambdaArn",
        received: "invalidate-cdn",
        allowed: "a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>)",
        fix: "copy the function ARN from Lambda",
      },
      {
        key: "platform:services[0].deployment.lifecycleHooks[0].stages[0]",
        received: "PRODUCTION_TRAFIC_SHIFT",
        allowed: "one of RECONCILE_SERVICE, PRE_SCALE_UP, POST_SCALE_UP, TEST_TRAFFIC_SHIFT, POST_TEST_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT, POST_PRODUCTION_TRAFFIC_SHIFT",
        fix: 'did you mean "PRODUCTION_TRAFFIC_SHIFT"?',
      },
    ]);
  });

  it("fails on a deregistration delay longer than the stop timeout", () => {
    expect(
      problemsOf("dev", (c) => {
        services(c)[0].stopTimeoutSeconds = 20;
        services(c)[0].deregistrationDelaySeconds = 60;
      }),
    ).to.deep.equal([
      {
        key: "platform:services[0].deregistrationDelaySeconds",
        received: 60,
        allowed:
          "at most stopTimeoutSeconds (20): when a task gets SIGTERM while the ALB still drains it (a Fargate Spot interruption, a StopTask call), SIGKILL must not come before the drain ends",
        fix: "lower deregistrationDelaySeconds to 20 or raise stopTimeoutSeconds (Fargate max 120)",
      },
    ]);
  });

  it("fails on two services sharing a test listener port", () => {
    expect(
      problemsOf("dev", (c) => {
        const s = services(c);
        s[0].deployment = { style: "blueGreen", testListenerPort: 8443 };
        s.push({ ...s[0], name: "api", routing: { paths: ["/api/*"] }, database: false });
      }),
    ).to.deep.equal([
      {
        key: "platform:services[1].deployment.testListenerPort",
        received: 8443,
        allowed: 'a port no other service\'s test listener uses ("hello" has 8443)',
        fix: `give "api" another test listener port in ${FILE}`,
      },
    ]);
  });
});

describe("app/release: a linear service with a hook, evaluated (dev variant)", function () {
  this.timeout(300_000);
  it("creates the hook role with lambda:InvokeFunction on that function only, and passes the hook to ECS", async () => {
    const ev = await evaluateVariant("dev", (c) => {
      services(c)[0].deployment = { style: "linear", testListenerPort: 9443, testListenerCidrs: ["203.0.113.0/24"], lifecycleHooks: [{ lambdaArn: HOOK, stages: ["PRE_SCALE_UP"] }] };
    });
    const role = one(ev, T.role, "dev-svc-hello-hook-role");
    expect(JSON.parse(input<string>(role, "assumeRolePolicy")).Statement[0].Principal).to.deep.equal({ Service: "ecs.amazonaws.com" });
    expect(JSON.parse(input<string>(one(ev, T.rolePolicy, "dev-svc-hello-hook-role"), "policy")).Statement).to.deep.equal([
      { Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [HOOK, `${HOOK}:*`] },
    ]);
    const svc = one(ev, T.service, "dev-svc-hello-service");
    expect(svc.inputs.deploymentConfiguration).to.deep.equal({
      strategy: "LINEAR",
      bakeTimeInMinutes: "10",
      linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: "5" },
      lifecycleHooks: [{ hookTargetArn: HOOK, roleArn: role.outputs.arn, lifecycleStages: ["PRE_SCALE_UP"] }],
    });
    const testIngress = ofType(ev, T.ingress).filter((i) => i.name.startsWith("dev-svc-hello-test-in-"));
    expect(testIngress.map((i) => [i.name, i.inputs.cidrIpv4, i.inputs.fromPort])).to.deep.equal([
      ["dev-svc-hello-test-in-1", "10.10.0.0/16", 9443],
      ["dev-svc-hello-test-in-2", "203.0.113.0/24", 9443],
    ]);
  });
});

describe("app/release: request scaling over both target groups (pure)", () => {
  it("sums RequestCountPerTarget of blue and green, an idle group counting 0, and returns one series", () => {
    const q = requestsPerTargetMetrics();
    expect(q.map((m) => [m.id, m.targetGroup ?? null, m.expression ?? null])).to.deep.equal([
      ["blue", "primary", null],
      ["green", "alternate", null],
      ["perTarget", null, "FILL(blue, 0) + FILL(green, 0)"],
    ]);
    // CloudWatch metric math ids start with a lowercase letter; every referenced id exists.
    for (const m of q) expect(m.id).to.match(/^[a-z][a-zA-Z0-9_]*$/);
  });
});
