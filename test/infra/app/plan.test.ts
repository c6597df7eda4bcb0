import { expect } from "chai";
import fc from "fast-check";
import {
  ALB_NAME_MAX,
  ELB_NAME_PATTERN,
  TARGET_GROUP_NAME_MAX,
  albName,
  boundedName,
  dbClusterIdentifier,
  targetGroupName,
} from "../../../infra/app/names";
import {
  FARGATE_TASK_SIZES,
  RULE_PRIORITY_START,
  accessLogBucketPolicy,
  certificateCovers,
  builtImageRepositoryArn,
  describeFargateMemory,
  ecrRepositoryArn,
  ecsTasksTrustPolicy,
  elbLogDeliveryPrincipal,
  executionRolePolicy,
  isRootUser,
  isValidFargateSize,
  logsKeyPolicy,
  planContainerDefinitions,
  planListenerRules,
  planScratchVolumes,
  routeKeys,
  secretSourceOf,
  secretsManagerResourceArn,
  taskRoleExecPolicy,
  validationRecordDomains,
} from "../../../infra/app/plan";

describe("app/names: physical names within AWS limits", () => {
  it("with a short project and stack, names the ALB <project>-<stack>", () => {
    expect(albName("platform", "prod")).to.equal("platform-prod");
  });

  it("with a long stack name, truncates the ALB name to 32 characters and appends a hash of the full name", () => {
    const name = albName("platform", "feature-branch-with-a-very-long-name");
    expect(name).to.have.length(ALB_NAME_MAX);
    expect(name).to.match(/^platform-feature-branch-w-[0-9a-f]{6}$/);
  });

  it("never names an ALB internal-* (reserved by AWS for internal load balancers)", () => {
    expect(albName("internal", "tools")).to.equal("alb-internal-tools");
  });

  it("gives target groups <project>-<stack>-<service>-<hash of port/protocol/type>", () => {
    const a = targetGroupName("platform", "dev", "hello", 8080);
    expect(a).to.match(/^platform-dev-hello-[0-9a-f]{6}$/);
    expect(targetGroupName("platform", "dev", "hello", 8080)).to.equal(a);
    // A port change forces AWS to replace the group: the name changes with it, so Pulumi can
    // create the new group before deleting the old one.
    expect(targetGroupName("platform", "dev", "hello", 9090)).to.not.equal(a);
  });

  it("names the Aurora cluster <project>-<stack>, starting with a letter", () => {
    expect(dbClusterIdentifier("platform", "dev")).to.equal("platform-dev");
    expect(dbClusterIdentifier("9lives", "dev")).to.equal("db-9lives-dev");
  });

  const label = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,40}$/);
  it("for any project, stack, service and port: ALB and target group names are valid, <= 32 and deterministic", () => {
    fc.assert(
      fc.property(label, label, label, fc.integer({ min: 1, max: 65535 }), (project, stack, service, port) => {
        const alb = albName(project, stack);
        const tg = targetGroupName(project, stack, service, port);
        expect(alb.length).to.be.at.most(ALB_NAME_MAX);
        expect(tg.length).to.be.at.most(TARGET_GROUP_NAME_MAX);
        expect(alb).to.match(ELB_NAME_PATTERN);
        expect(tg).to.match(ELB_NAME_PATTERN);
        expect(alb.startsWith("internal-")).to.equal(false);
        expect(albName(project, stack)).to.equal(alb);
        expect(targetGroupName(project, stack, service, port)).to.equal(tg);
      }),
    );
  });

  it("for any two different long bases sharing a prefix, the bounded names differ", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{30,40}$/), fc.stringMatching(/^[a-z]{1,10}$/), fc.stringMatching(/^[a-z]{1,10}$/), (prefix, x, y) => {
        fc.pre(x !== y);
        expect(boundedName(`${prefix}-${x}`, 32)).to.not.equal(boundedName(`${prefix}-${y}`, 32));
      }),
    );
  });
});

describe("app/plan: Fargate task sizes", () => {
  const valid: Array<[number, number]> = [
    [256, 512],
    [256, 2048],
    [512, 4096],
    [1024, 8192],
    [2048, 16384],
    [4096, 30720],
    [8192, 61440],
    [16384, 122880],
  ];
  const invalid: Array<[number, number]> = [
    [256, 4096],
    [256, 1536],
    [512, 512],
    [1024, 1024],
    [4096, 31744],
    [8192, 17408],
    [300, 512],
    [32768, 65536],
  ];
  for (const [cpu, memory] of valid) it(`accepts cpu ${cpu} with memory ${memory}`, () => expect(isValidFargateSize(cpu, memory)).to.equal(true));
  for (const [cpu, memory] of invalid) it(`refuses cpu ${cpu} with memory ${memory}`, () => expect(isValidFargateSize(cpu, memory)).to.equal(false));

  it("lists exactly the documented memory steps per cpu", () => {
    expect(Object.keys(FARGATE_TASK_SIZES).map(Number)).to.deep.equal([256, 512, 1024, 2048, 4096, 8192, 16384]);
    expect(FARGATE_TASK_SIZES[512]).to.deep.equal([1024, 2048, 3072, 4096]);
    expect(FARGATE_TASK_SIZES[8192]).to.have.length(12);
    expect(FARGATE_TASK_SIZES[16384]).to.have.length(12);
  });

  it("describes the allowed memory for error messages", () => {
    expect(describeFargateMemory(256)).to.equal("with cpu 256, memory 512, 1024, 2048");
    expect(describeFargateMemory(1024)).to.equal("with cpu 1024, memory 2048 to 8192 in steps of 1024");
  });
});

describe("app/plan: listener rule priorities", () => {
  it("orders host+path rules first, then paths by specificity, then host-only, from 100 in steps of 10", () => {
    const rules = planListenerRules([
      { service: "web", hosts: [], paths: ["/*"] },
      { service: "api", hosts: [], paths: ["/api/*"] },
      { service: "admin", hosts: [], paths: ["/api/admin/*"] },
      { service: "docs", hosts: ["docs.example.com"], paths: [] },
      { service: "hooks", hosts: ["api.example.com"], paths: ["/hooks/*"] },
    ]);
    expect(rules.map((r) => [r.service, r.priority])).to.deep.equal([
      ["hooks", 100],
      ["admin", 110],
      ["api", 120],
      ["web", 130],
      ["docs", 140],
    ]);
  });

  it("keeps pinned priorities and plans around them", () => {
    const rules = planListenerRules([
      { service: "a", hosts: [], paths: ["/a/*"] },
      { service: "b", hosts: [], paths: ["/b/*"], priority: 100 },
      { service: "c", hosts: [], paths: ["/c/*"] },
    ]);
    expect(rules.map((r) => [r.service, r.priority])).to.deep.equal([
      ["b", 100],
      ["a", 110],
      ["c", 120],
    ]);
  });

  it("for any set of routes with distinct pinned priorities, every rule gets a distinct priority in 1..50000", () => {
    const route = fc.record({
      paths: fc.array(fc.stringMatching(/^\/[a-z]{0,8}(\/\*)?$/), { maxLength: 3 }),
      hosts: fc.array(fc.constantFrom("a.example.com", "b.example.com"), { maxLength: 2 }),
      pin: fc.option(fc.integer({ min: 1, max: 300 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(route, { maxLength: 20 }), (routes) => {
        const seen = new Set<number>();
        const specs = routes.map((r, i) => {
          const priority = r.pin !== undefined && !seen.has(r.pin) ? r.pin : undefined;
          if (priority !== undefined) seen.add(priority);
          return { service: `s${i}`, hosts: r.hosts, paths: r.paths, priority };
        });
        const planned = planListenerRules(specs);
        expect(planned).to.have.length(specs.length);
        expect(new Set(planned.map((p) => p.priority)).size).to.equal(specs.length);
        for (const s of specs) {
          const p = planned.find((x) => x.service === s.service)!;
          if (s.priority !== undefined) expect(p.priority).to.equal(s.priority);
          expect(p.priority).to.be.within(1, 50000);
        }
        expect(planListenerRules(specs)).to.deep.equal(planned);
      }),
    );
  });

  it("starts at the documented first priority", () => {
    expect(planListenerRules([{ service: "x", hosts: [], paths: ["/*"] }])[0].priority).to.equal(RULE_PRIORITY_START);
  });

  it("keys a route by (host, path), treating no host as any host and no path as /*", () => {
    expect(routeKeys({ hosts: [], paths: [] })).to.deep.equal(["* /*"]);
    expect(routeKeys({ hosts: ["A.example.com"], paths: ["/x", "/y"] })).to.deep.equal(["a.example.com /x", "a.example.com /y"]);
  });
});

describe("app/plan: certificates", () => {
  const cases: Array<[string[], string, boolean]> = [
    [["dev.app.example.com"], "dev.app.example.com", true],
    [["dev.app.example.com"], "api.dev.app.example.com", false],
    [["dev.app.example.com", "*.dev.app.example.com"], "api.dev.app.example.com", true],
    [["*.dev.app.example.com"], "a.b.dev.app.example.com", false],
    [["*.dev.app.example.com"], "dev.app.example.com", false],
  ];
  for (const [names, host, covered] of cases) {
    it(`with a certificate for ${names.join(" + ")}, ${covered ? "covers" : "does not cover"} ${host}`, () => {
      expect(certificateCovers(names, host)).to.equal(covered);
    });
  }

  it("validates a name and its wildcard with one record (ACM gives them the same CNAME)", () => {
    expect(validationRecordDomains("app.example.com", ["*.app.example.com", "www.example.com"])).to.deep.equal(["app.example.com", "www.example.com"]);
  });
});

describe("app/plan: ARNs and principals", () => {
  it("strips the JSON key, stage and version from a Secrets Manager valueFrom", () => {
    expect(secretsManagerResourceArn("arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:app/db-AbC123:password::")).to.equal(
      "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:app/db-AbC123",
    );
  });

  it("adds the -?????? wildcard IAM needs for a partial secret ARN", () => {
    expect(secretsManagerResourceArn("arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:app/token")).to.equal(
      "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:app/token-??????",
    );
  });

  it("recognises Secrets Manager and SSM ARNs, and nothing else", () => {
    expect(secretSourceOf("arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:x-AbC123")).to.equal("secretsmanager");
    expect(secretSourceOf("arn:aws:ssm:ap-northeast-2:123456789012:parameter/app/key")).to.equal("ssm");
    expect(secretSourceOf("hunter2")).to.equal(undefined);
    expect(secretSourceOf("/app/key")).to.equal(undefined);
  });

  it("derives the ECR repository ARN of private ECR images, and none for other registries", () => {
    expect(ecrRepositoryArn("123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/platform/dev/hello@sha256:" + "a".repeat(64))).to.equal(
      "arn:aws:ecr:ap-northeast-2:123456789012:repository/platform/dev/hello",
    );
    expect(ecrRepositoryArn("123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/web:1.2.3")).to.equal("arn:aws:ecr:ap-northeast-2:123456789012:repository/web");
    expect(ecrRepositoryArn("public.ecr.aws/nginx/nginx:stable")).to.equal(undefined);
    expect(ecrRepositoryArn("nginx:1.27")).to.equal(undefined);
    // The partition follows the region, as for rds-db ARNs (dbConnectArn).
    expect(ecrRepositoryArn("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/web:1")).to.equal("arn:aws-cn:ecr:cn-north-1:123456789012:repository/web");
    expect(ecrRepositoryArn("123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/web:1")).to.equal("arn:aws-us-gov:ecr:us-gov-west-1:123456789012:repository/web");
  });

  it("requires an image this stack built to be in the repository it was built into, naming both otherwise", () => {
    const digest = "@sha256:" + "a".repeat(64);
    expect(builtImageRepositoryArn(`123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/platform/dev/db-bootstrap${digest}`, "platform/dev/db-bootstrap")).to.equal(
      "arn:aws:ecr:ap-northeast-2:123456789012:repository/platform/dev/db-bootstrap",
    );
    expect(builtImageRepositoryArn("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/web:1", "web")).to.equal("arn:aws-cn:ecr:cn-north-1:123456789012:repository/web");
    expect(() => builtImageRepositoryArn(`123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/platform/dev/hello${digest}`, "platform/dev/db-bootstrap")).to.throw(
      `The image URI "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/platform/dev/hello${digest}" is not in the ECR repository "platform/dev/db-bootstrap" it was built into: the execution role could not pull it (CannotPullContainerError). Expected <account>.dkr.ecr.<region>.amazonaws.com/platform/dev/db-bootstrap[:tag|@digest].`,
    );
    expect(() => builtImageRepositoryArn("unknown@sha256:0", "web")).to.throw(
      `The image URI "unknown@sha256:0" is not in the ECR repository "web" it was built into: the execution role could not pull it (CannotPullContainerError). Expected <account>.dkr.ecr.<region>.amazonaws.com/web[:tag|@digest].`,
    );
  });

  it("lets the regional ELB account deliver logs in older regions, the service principal in newer ones", () => {
    expect(elbLogDeliveryPrincipal("ap-northeast-2")).to.deep.equal({ AWS: "arn:aws:iam::600734575887:root" });
    expect(elbLogDeliveryPrincipal("ap-southeast-5")).to.deep.equal({ Service: "logdelivery.elasticloadbalancing.amazonaws.com" });
  });
});

describe("app/plan: policy documents", () => {
  it("lets log delivery write only under <prefix>/AWSLogs/<account>/ and denies plain HTTP", () => {
    expect(accessLogBucketPolicy("arn:aws:s3:::logs", "alb", "123456789012", "ap-northeast-2")).to.deep.equal({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AllowElbLogDelivery",
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::600734575887:root" },
          Action: "s3:PutObject",
          Resource: "arn:aws:s3:::logs/alb/AWSLogs/123456789012/*",
        },
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: ["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    });
  });

  const logGroupArn = "arn:aws:logs:ap-northeast-2:123456789012:log-group:/platform/dev/services/web";
  it("with an ECR image and secrets, grants exactly the repository, the log group, each secret and its key", () => {
    const doc = executionRolePolicy({
      logGroupArn,
      ecrRepositoryArns: ["arn:aws:ecr:ap-northeast-2:123456789012:repository/web"],
      secretValueFroms: [
        "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:db-AbC123:password::",
        "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:db-AbC123:username::",
        "arn:aws:ssm:ap-northeast-2:123456789012:parameter/web/api-key",
      ],
      secretKmsKeyArns: ["arn:aws:kms:ap-northeast-2:123456789012:key/11111111-2222-3333-4444-555555555555"],
      region: "ap-northeast-2",
    });
    expect(doc.Statement).to.deep.equal([
      { Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logGroupArn}:log-stream:*` },
      { Sid: "EcrAuth", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
      {
        Sid: "PullImage",
        Effect: "Allow",
        Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        Resource: ["arn:aws:ecr:ap-northeast-2:123456789012:repository/web"],
      },
      { Sid: "ReadSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: ["arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:db-AbC123"] },
      { Sid: "ReadParameters", Effect: "Allow", Action: "ssm:GetParameters", Resource: ["arn:aws:ssm:ap-northeast-2:123456789012:parameter/web/api-key"] },
      {
        Sid: "DecryptSecrets",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: ["arn:aws:kms:ap-northeast-2:123456789012:key/11111111-2222-3333-4444-555555555555"],
        Condition: { StringEquals: { "kms:ViaService": ["secretsmanager.ap-northeast-2.amazonaws.com", "ssm.ap-northeast-2.amazonaws.com"] } },
      },
    ]);
  });

  it("with a public image and no secrets, grants only the log stream writes (no wildcard at all)", () => {
    const doc = executionRolePolicy({ logGroupArn, ecrRepositoryArns: [], secretValueFroms: [], secretKmsKeyArns: [], region: "ap-northeast-2" });
    expect(doc.Statement).to.have.length(1);
    expect(JSON.stringify(doc)).to.not.include('"*"');
  });

  it("gives the task role no policy without ECS Exec, and the exec channel, log group and key with it", () => {
    expect(taskRoleExecPolicy(undefined)).to.equal(undefined);
    const doc = taskRoleExecPolicy({ logGroupArn: "arn:aws:logs:r:1:log-group:/x", kmsKeyArn: "arn:aws:kms:r:1:key/k" })!;
    expect(doc.Statement.map((s) => s.Sid)).to.deep.equal(["ExecChannel", "ExecLogs", "ExecLogGroups", "ExecSessionKey"]);
    expect(doc.Statement[3].Resource).to.equal("arn:aws:kms:r:1:key/k");
  });

  it("trusts ecs-tasks only for this account's ECS (confused-deputy conditions)", () => {
    expect(ecsTasksTrustPolicy("123456789012", "ap-northeast-2").Statement[0]).to.deep.equal({
      Effect: "Allow",
      Principal: { Service: "ecs-tasks.amazonaws.com" },
      Action: "sts:AssumeRole",
      Condition: {
        StringEquals: { "aws:SourceAccount": "123456789012" },
        ArnLike: { "aws:SourceArn": "arn:aws:ecs:ap-northeast-2:123456789012:*" },
      },
    });
  });

  it("lets CloudWatch Logs of the region use a logs key only for the named log-group patterns", () => {
    const doc = logsKeyPolicy("123456789012", "ap-northeast-2", ["/platform/dev/*"]);
    expect(doc.Statement[0].Principal).to.deep.equal({ AWS: "arn:aws:iam::123456789012:root" });
    expect(doc.Statement[1].Principal).to.deep.equal({ Service: "logs.ap-northeast-2.amazonaws.com" });
    expect(doc.Statement[1].Condition).to.deep.equal({
      ArnLike: { "kms:EncryptionContext:aws:logs:arn": ["arn:aws:logs:ap-northeast-2:123456789012:log-group:/platform/dev/*"] },
    });
  });
});

describe("app/plan: container definitions", () => {
  const base = {
    name: "web",
    image: "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/web@sha256:" + "b".repeat(64),
    port: 8080,
    cpu: 256,
    memory: 512,
    environment: { ZED: "1", ALPHA: "2" },
    secrets: { TOKEN: "arn:aws:ssm:ap-northeast-2:123456789012:parameter/t", API_KEY: "arn:aws:ssm:ap-northeast-2:123456789012:parameter/k" },
    user: "1000:1000",
    readonlyRootFilesystem: true,
    stopTimeoutSeconds: 30,
    logGroupName: "/platform/dev/services/web",
    region: "ap-northeast-2",
  };

  it("writes one essential, unprivileged, non-root container with a read-only root, /tmp scratch and awslogs", () => {
    expect(planContainerDefinitions(base)).to.deep.equal([
      {
        name: "web",
        image: base.image,
        essential: true,
        cpu: 256,
        memory: 512,
        portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: "tcp", name: "http", appProtocol: "http" }],
        environment: [
          { name: "ALPHA", value: "2" },
          { name: "ZED", value: "1" },
        ],
        secrets: [
          { name: "API_KEY", valueFrom: "arn:aws:ssm:ap-northeast-2:123456789012:parameter/k" },
          { name: "TOKEN", valueFrom: "arn:aws:ssm:ap-northeast-2:123456789012:parameter/t" },
        ],
        user: "1000:1000",
        readonlyRootFilesystem: true,
        privileged: false,
        stopTimeout: 30,
        linuxParameters: { initProcessEnabled: true },
        mountPoints: [{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }],
        logConfiguration: {
          logDriver: "awslogs",
          options: {
            "awslogs-group": "/platform/dev/services/web",
            "awslogs-region": "ap-northeast-2",
            "awslogs-stream-prefix": "web",
            mode: "non-blocking",
            "max-buffer-size": "25m",
          },
        },
      },
    ]);
  });

  it("for any environment, emits variables sorted by name in byte order, so key order in config never changes the JSON", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,10}$/), fc.string()), (environment) => {
        const names = planContainerDefinitions({ ...base, environment })[0].environment.map((e) => e.name);
        expect(names).to.deep.equal([...names].sort());
        expect(names).to.have.length(Object.keys(environment).length);
      }),
    );
  });

  it("with ECS Exec, gives the injected SSM agent writable state and log directories, keeping the root read-only", () => {
    expect(planScratchVolumes(false)).to.deep.equal([{ name: "tmp", containerPath: "/tmp" }]);
    const [c] = planContainerDefinitions({ ...base, execEnabled: true });
    expect(c.readonlyRootFilesystem).to.equal(true);
    expect(c.mountPoints).to.deep.equal([
      { sourceVolume: "tmp", containerPath: "/tmp", readOnly: false },
      { sourceVolume: "ssm-agent-state", containerPath: "/var/lib/amazon", readOnly: false },
      { sourceVolume: "ssm-agent-logs", containerPath: "/var/log/amazon", readOnly: false },
    ]);
  });

  const users: Array<[string, boolean]> = [
    ["0", true],
    ["root", true],
    ["0:0", true],
    ["root:staff", true],
    ["1000:1000", false],
    ["node", false],
  ];
  for (const [user, root] of users) it(`treats user "${user}" as ${root ? "root" : "non-root"}`, () => expect(isRootUser(user)).to.equal(root));
});
