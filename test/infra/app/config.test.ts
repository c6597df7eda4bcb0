import { expect } from "chai";
import { readStackFile, toEngineConfig } from "../../../cli/evaluate/stack-config";
import { ConfigError, parseConfig } from "../../../infra/config";
import { STACK_ORDER } from "../../../infra/stacks";
import { problemsOfEditedStack as problemsOf } from "../config/problems";

type Raw = Record<string, unknown>;
type Service = Record<string, unknown>;

const services = (c: Raw) => c["platform:services"] as Service[];
const alb = (c: Raw) => c["platform:alb"] as Raw;
const FILE = "environments/Pulumi.dev.yaml";

describe("app/config: the shipped stacks", () => {
  for (const stack of STACK_ORDER) {
    it(`accepts environments/Pulumi.${stack}.yaml as written`, () => {
      expect(problemsOf(stack, () => undefined)).to.deep.equal([]);
    });
  }

  it("with shared, has no ALB, no services and no database (absent sections build nothing)", () => {
    const c = parseConfig("shared", "platform", toEngineConfig(readStackFile("shared").config));
    expect([c.alb, c.services, c.database]).to.deep.equal([undefined, undefined, undefined]);
  });

  it("with prod, resolves every safety default on: deletion protection, final snapshot, protect, 14-day backups", () => {
    const c = parseConfig("prod", "platform", toEngineConfig(readStackFile("prod").config));
    expect(c.alb!.deletionProtection).to.equal(true);
    expect(c.database).to.include({ deletionProtection: true, finalSnapshot: true, protect: true, backupRetentionDays: 14 });
    expect(c.services![0]).to.include({ user: "1000:1000", readonlyRootFilesystem: true, stopTimeoutSeconds: 30 });
  });
});

describe("app/config: refused configurations (one aggregated error)", () => {
  it("fails on a Fargate memory size the cpu does not allow, naming the sizes that are", () => {
    expect(problemsOf("dev", (c) => (services(c)[0].memory = 4096))).to.deep.equal([
      {
        key: "platform:services[0].memory",
        received: 4096,
        allowed: "with cpu 256, memory 512, 1024, 2048",
        fix: "pick a memory size Fargate accepts with cpu 256, e.g. 512",
      },
    ]);
  });

  it("fails on a cpu value Fargate does not have", () => {
    expect(problemsOf("dev", (c) => (services(c)[0].cpu = 300))).to.deep.equal([
      {
        key: "platform:services[0].cpu",
        received: 300,
        allowed: "cpu one of 256, 512, 1024, 2048, 4096, 8192, 16384 (units, 1024 = 1 vCPU)",
        fix: "use a Fargate task size such as cpu 256 with memory 512",
      },
    ]);
  });

  it("fails on a service name longer than 32 characters (it names the target group, log group and family)", () => {
    const long = "a-service-name-that-is-far-too-long";
    expect(problemsOf("dev", (c) => (services(c)[0].name = long))).to.deep.equal([
      {
        key: "platform:services[0].name",
        received: long,
        allowed: "2 to 32 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen",
        fix: `rename the service, e.g. "${long.slice(0, 32)}"`,
      },
    ]);
  });

  it("fails on a second service routed to a path the first already owns", () => {
    const problems = problemsOf("dev", (c) => services(c).push({ ...services(c)[0], name: "hello-two" }));
    expect(problems).to.deep.equal([
      {
        key: "platform:services[1].routing",
        received: { paths: ["/*"], hosts: [] },
        allowed: 'routes no other service owns: every path on any host already goes to service "hello"',
        fix: 'give "hello-two" a different path or host, or remove the route from "hello"',
      },
    ]);
  });

  it("fails on a path another service owns on the same host, but accepts the same path on another host", () => {
    expect(
      problemsOf("dev", (c) => {
        services(c)[0].routing = { hosts: ["dev.app.example.com"], paths: ["/api/*"] };
        services(c).push({ ...services(c)[0], name: "api2", routing: { hosts: ["DEV.app.example.com"], paths: ["/api/*"] } });
      }).map((p) => p.key),
    ).to.deep.equal(["platform:services[1].routing"]);
    expect(
      problemsOf("dev", (c) => {
        alb(c).alternativeNames = ["*.dev.app.example.com"];
        services(c)[0].routing = { hosts: ["a.dev.app.example.com"], paths: ["/api/*"] };
        services(c).push({ ...services(c)[0], name: "api2", routing: { hosts: ["b.dev.app.example.com"], paths: ["/api/*"] } });
      }),
    ).to.deep.equal([]);
  });

  it("fails on an ALB with neither domain nor certificate, saying what to add", () => {
    expect(
      problemsOf("dev", (c) => {
        delete alb(c).domain;
        delete alb(c).hostedZone;
      }),
    ).to.deep.equal([
      {
        key: "platform:alb.domain",
        received: undefined,
        allowed: "a domain (with hostedZone) or a certificateArn: every environment serves HTTPS",
        fix: `add platform:alb.domain (e.g. "dev.app.example.com") and platform:alb.hostedZone (e.g. "example.com") to ${FILE}, or platform:alb.certificateArn`,
      },
    ]);
  });

  it("fails on both a domain and a certificate ARN", () => {
    const arn = "arn:aws:acm:ap-northeast-2:123456789012:certificate/0b1c2d3e-4f50-4617-8899-aabbccddeeff";
    expect(problemsOf("dev", (c) => (alb(c).certificateArn = arn))).to.deep.equal([
      {
        key: "platform:alb.certificateArn",
        received: arn,
        allowed: "Only one of [domain] and [certificateArn] can be specified",
        fix: "keep domain (a certificate is created and validated) or certificateArn (an existing one), not both",
      },
    ]);
  });

  it("fails on a certificate from another region (an ALB only uses certificates of its own region)", () => {
    const arn = "arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-4f50-4617-8899-aabbccddeeff";
    const problems = problemsOf("dev", (c) => {
      delete alb(c).domain;
      delete alb(c).hostedZone;
      alb(c).certificateArn = arn;
    });
    expect(problems.map((p) => [p.key, p.fix])).to.deep.equal([["platform:alb.certificateArn", "request or import the certificate in ap-northeast-2"]]);
  });

  describe("platform:alb.wafWebAclArn", () => {
    const WAF = (region: string, scope = "regional") => `arn:aws:wafv2:${region}:123456789012:${scope}/webacl/platform/7c6f0c4e-1111-2222-3333-444455556666`;

    it("accepts a regional web ACL of the stack's region", () => {
      expect(problemsOf("dev", (c) => (alb(c).wafWebAclArn = WAF("ap-northeast-2")))).to.deep.equal([]);
    });

    it("fails on a web ACL from another region (AWS WAF associates it only with resources of its own region)", () => {
      expect(problemsOf("dev", (c) => (alb(c).wafWebAclArn = WAF("us-east-1")))).to.deep.equal([
        {
          key: "platform:alb.wafWebAclArn",
          received: WAF("us-east-1"),
          allowed: "a web ACL in the stack's region ap-northeast-2 (AWS WAF associates a regional web ACL only with resources of its own region)",
          fix: "create the web ACL (scope REGIONAL) in ap-northeast-2, or use one that is there",
        },
      ]);
    });

    for (const [what, arn] of [
      ["a CloudFront-scope (global) web ACL", WAF("us-east-1", "global")],
      ["an ARN of another service", "arn:aws:waf-regional:ap-northeast-2:123456789012:webacl/7c6f0c4e"],
      ["an ARN without the web ACL id", "arn:aws:wafv2:ap-northeast-2:123456789012:regional/webacl/platform"],
    ] as const) {
      it(`fails on ${what}`, () => {
        expect(problemsOf("dev", (c) => (alb(c).wafWebAclArn = arn))).to.deep.equal([
          {
            key: "platform:alb.wafWebAclArn",
            received: arn,
            allowed: "a REGIONAL WAFv2 web ACL ARN (CloudFront-scope ACLs cannot attach to an ALB)",
            fix: "use arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>",
          },
        ]);
      });
    }
  });

  it("fails on a domain outside the hosted zone, and on a host the certificate does not cover", () => {
    expect(problemsOf("dev", (c) => (alb(c).domain = "dev.app.example.org"))).to.deep.equal([
      {
        key: "platform:alb.domain",
        received: "dev.app.example.org",
        allowed: "a name inside the hosted zone example.com",
        fix: "use a name in the zone, or change hostedZone",
      },
    ]);
    expect(problemsOf("dev", (c) => (services(c)[0].routing = { hosts: ["api.dev.app.example.com"] }))).to.deep.equal([
      {
        key: "platform:services[0].routing.hosts[0]",
        received: "api.dev.app.example.com",
        allowed: "a name the ALB certificate covers (dev.app.example.com)",
        fix: 'add "api.dev.app.example.com" (or a wildcard) to platform:alb.alternativeNames, or route by path instead',
      },
    ]);
  });

  it("fails on a secret-looking plain environment variable, and on a secret given by value", () => {
    expect(
      problemsOf("dev", (c) => {
        services(c)[0].environment = { LOG_LEVEL: "debug", STRIPE_API_KEY: "sk_live_123" };
        services(c)[0].secrets = { SESSION_KEY: "hunter2" };
      }),
    ).to.deep.equal([
      {
        key: "platform:services[0].environment.STRIPE_API_KEY",
        received: "(value hidden)",
        allowed: "plain, non-secret settings: a name containing PASS, SECRET, TOKEN, API_KEY or PRIVATE_KEY is treated as a secret",
        fix: "store the value in Secrets Manager or SSM and reference it under platform:services[0].secrets.STRIPE_API_KEY (its ARN), never inline",
      },
      {
        key: "platform:services[0].secrets.SESSION_KEY",
        received: "hunter2",
        allowed: "the full ARN of a Secrets Manager secret (optionally :json-key::) or an SSM parameter",
        fix: "reference the secret by ARN, e.g. arn:aws:secretsmanager:<region>:<account>:secret:<name>-AbCdEf",
      },
    ]);
  });

  it("fails on a variable the platform sets for database: true", () => {
    expect(problemsOf("dev", (c) => (services(c)[0].environment = { DB_HOST: "localhost" })).map((p) => p.key)).to.deep.equal([
      "platform:services[0].environment.DB_HOST",
    ]);
  });

  it("fails on the RDS-managed master secret referenced as a service secret, and on DB_USER set by hand (the old credential form)", () => {
    const master = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:rds!cluster-0f1e2d3c-4b5a-4697-8877-665544332211-AbC123";
    expect(problemsOf("dev", (c) => (services(c)[0].secrets = { DB_USER: `${master}:username::`, PGPASSWORD: `${master}:password::` }))).to.deep.equal([
      {
        key: "platform:services[0].secrets.DB_USER",
        received: `${master}:username::`,
        allowed: "none of AWS_REGION, DB_HOST, DB_IAM_AUTH, DB_NAME, DB_PORT, DB_READER_HOST, DB_USER (the platform sets them for database: true)",
        fix: "remove it",
      },
      {
        key: "platform:services[0].secrets.DB_USER",
        received: `${master}:username::`,
        allowed: "any secret but an RDS-managed master secret (rds!...): RDS rotates it every 7 days and only the bootstrap task and operators may read it",
        fix: "set database: true instead; the service then logs in as its own user with IAM tokens (docs/database.md)",
      },
      {
        key: "platform:services[0].secrets.PGPASSWORD",
        received: `${master}:password::`,
        allowed: "any secret but an RDS-managed master secret (rds!...): RDS rotates it every 7 days and only the bootstrap task and operators may read it",
        fix: "set database: true instead; the service then logs in as its own user with IAM tokens (docs/database.md)",
      },
    ]);
  });

  it("fails on a service named like the platform's database bootstrap task", () => {
    expect(problemsOf("dev", (c) => (services(c)[0].name = "db-bootstrap"))).to.deep.equal([
      {
        key: "platform:services[0].name",
        received: "db-bootstrap",
        allowed: "any name but db-bootstrap (the platform's database bootstrap task uses its names)",
        fix: 'rename the service, e.g. "db-bootstrap-app"',
      },
    ]);
  });

  it("fails on root or a writable root filesystem without a stated reason, and accepts them with one", () => {
    expect(problemsOf("dev", (c) => (services(c)[0].user = "root"))).to.deep.equal([
      {
        key: "platform:services[0].securityExceptionReason",
        received: undefined,
        allowed: 'a stated reason (10+ characters) whenever user is root ("root")',
        fix: "run as a non-root user with a read-only root filesystem, or explain why not in platform:services[0].securityExceptionReason",
      },
    ]);
    expect(problemsOf("dev", (c) => (services(c)[0].readonlyRootFilesystem = false)).map((p) => p.allowed)).to.deep.equal([
      "a stated reason (10+ characters) whenever readonlyRootFilesystem is false",
    ]);
    expect(
      problemsOf("dev", (c) => {
        services(c)[0].readonlyRootFilesystem = false;
        services(c)[0].securityExceptionReason = "vendor image writes its PID file to /var/run";
      }),
    ).to.deep.equal([]);
  });

  it("fails on a privileged port for a non-root container", () => {
    expect(problemsOf("dev", (c) => (services(c)[0].port = 80))).to.deep.equal([
      {
        key: "platform:services[0].port",
        received: 80,
        allowed: "1024 or above: the container runs as a non-root user, which cannot bind privileged ports",
        fix: "listen on e.g. 8080 (the ALB still serves 443 to clients)",
      },
    ]);
  });

  it("fails on both image and build, and on neither", () => {
    const expected = {
      key: "platform:services[0].image",
      allowed: "Only one of [image] and [build] can be specified, and one is required",
    };
    expect(problemsOf("dev", (c) => (services(c)[0].image = "nginx:1.27")).map((p) => ({ key: p.key, allowed: p.allowed }))).to.deep.equal([expected]);
    expect(problemsOf("dev", (c) => delete services(c)[0].build).map((p) => ({ key: p.key, allowed: p.allowed }))).to.deep.equal([expected]);
  });

  it("fails on a build context without a Dockerfile", () => {
    expect(problemsOf("dev", (c) => (services(c)[0].build = "services/missing"))).to.deep.equal([
      { key: "platform:services[0].build", received: "services/missing", allowed: "a directory containing a Dockerfile", fix: "create services/missing/Dockerfile or correct the path" },
    ]);
  });

  it("fails on autoscaling with minCount above maxCount, and on a desiredCount outside the range", () => {
    expect(
      problemsOf("dev", (c) => {
        services(c)[0].autoscaling = { minCount: 4, maxCount: 2 };
      }).map((p) => p.key),
    ).to.deep.equal(["platform:services[0].autoscaling.minCount", "platform:services[0].desiredCount"]);
  });

  it("fails on a rolling deployment that cannot start a new task", () => {
    expect(problemsOf("dev", (c) => (services(c)[0].deployment = { minHealthyPercent: 100, maxPercent: 100 })).map((p) => p.key)).to.deep.equal([
      "platform:services[0].deployment.maxPercent",
    ]);
  });

  it("fails on a capacity provider strategy with two bases or a provider twice", () => {
    expect(
      problemsOf("dev", (c) => {
        (c["platform:ecs"] as Raw).capacityProviderStrategy = [
          { capacityProvider: "FARGATE", base: 1 },
          { capacityProvider: "FARGATE_SPOT", base: 1 },
        ];
      }).map((p) => p.allowed),
    ).to.deep.equal(["a base on at most one provider (an ECS rule)"]);
    expect(
      problemsOf("dev", (c) => {
        services(c)[0].capacityProviderStrategy = [{ capacityProvider: "FARGATE_SPOT" }, { capacityProvider: "FARGATE_SPOT", weight: 2 }];
      }).map((p) => [p.key, p.allowed]),
    ).to.deep.equal([["platform:services[0].capacityProviderStrategy", "each capacity provider at most once"]]);
  });

  it("fails on services without an ALB, and on database: true without a database", () => {
    expect(
      problemsOf("dev", (c) => {
        delete c["platform:alb"];
        delete c["platform:database"];
      }),
    ).to.deep.equal([
      {
        key: "platform:alb",
        received: undefined,
        allowed: "a load balancer section whenever platform:services is non-empty (services are only reachable through the ALB)",
        fix: `add platform:alb with domain and hostedZone (or certificateArn) to ${FILE}, or remove platform:services`,
      },
      {
        key: "platform:services[0].database",
        received: true,
        allowed: "true only when the stack has a platform:database section",
        fix: `add platform:database to ${FILE}, or set database: false`,
      },
    ]);
  });

  it("fails on a typo'd service key with a suggestion (shape errors go through the same aggregated error)", () => {
    expect(problemsOf("dev", (c) => (services(c)[0].healthcheckPath = "/ready"))).to.deep.equal([
      {
        key: "platform:services[0].healthcheckPath",
        received: "/ready",
        allowed: `the known keys ${[
          "name",
          "image",
          "build",
          "imageOwner",
          "port",
          "cpu",
          "memory",
          "architecture",
          "desiredCount",
          "healthCheckPath",
          "healthCheckGracePeriodSeconds",
          "routing",
          "environment",
          "secrets",
          "secretKmsKeyArns",
          "autoscaling",
          "user",
          "readonlyRootFilesystem",
          "securityExceptionReason",
          "stopTimeoutSeconds",
          "deregistrationDelaySeconds",
          "deployment",
          "execEnabled",
          "capacityProviderStrategy",
          "database",
          "cache",
        ].join(", ")}`,
        fix: `rename it to "healthCheckPath" (a typo?) in ${FILE}`,
      },
    ]);
  });

  it("lists every problem of several sections in one error, before anything is created", () => {
    const config = structuredClone(readStackFile("dev").config);
    services(config)[0].memory = 4096;
    (config["platform:database"] as Raw).readers = 3;
    delete alb(config).domain;
    delete alb(config).hostedZone;
    expect(() => parseConfig("dev", "platform", toEngineConfig(config)))
      .to.throw(ConfigError)
      .with.property("message")
      .that.matches(/^Invalid configuration for stack "dev" \(environments\/Pulumi\.dev\.yaml\), 3 problems; nothing was created:\n - platform:alb\.domain: /);
  });
});
