import { expect } from "chai";
import { Evaluation } from "../../../cli/evaluate/harness";
import { MOCK_ACCOUNT_ID } from "../../../cli/evaluate/mocks";
import { DEFAULT_TLS_POLICY } from "../../../infra/app/config";
import { SECRET_LIKE_ENV, ContainerDefinition, PolicyDocument } from "../../../infra/app/plan";
import { ENVIRONMENTS, T, evaluatedStacks, input, one, ofType } from "./evaluated";
import { managedPrefixList } from "../../../cli/evaluate/mocks-edge";
import { isSecretValue } from "../../../cli/evaluate/property-values";
import { CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST } from "../../../infra/edge/plan";

/** The plain value inside a secret envelope (`{4dabf…: 1b47…, value}`). */
function unwrapSecret(v: unknown): unknown {
  return isSecretValue(v) ? v.value : v;
}

/**
 * The application tier of each shipped stack, evaluated under the mocks with its real config file:
 * exact shape of the ALB, listeners, routing, target groups, task definitions, services, security
 * group references and IAM, per environment.
 */
interface Expected {
  readonly domain: string;
  readonly azs: number;
  readonly deletionProtection: boolean;
  readonly accessLogDays: number;
  readonly insights: string;
  readonly strategy: Array<{ capacityProvider: string; weight: number; base: number }>;
  readonly desiredCount: number;
  readonly autoscaling?: { min: number; max: number };
  readonly cpu: string;
  readonly memory: string;
  readonly logRetention: number;
  readonly exec: boolean;
  readonly imageOwner: "pulumi" | "pipeline";
  /** The hello service's release: rolling, or a traffic-shift style with its test listener. */
  readonly release: { style: "rolling" } | { style: "BLUE_GREEN" | "CANARY"; bakeTime: string; canary?: { canaryPercent: number; canaryBakeTimeInMinutes: string }; testPort: number; vpcCidr: string };
  /** Behind the edge (platform:edge): CloudFront is the ALB's only client. */
  readonly edge: boolean;
}

const EXPECTED: Record<string, Expected> = {
  dev: {
    domain: "dev.app.example.com",
    azs: 2,
    deletionProtection: false,
    accessLogDays: 7,
    insights: "disabled",
    strategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1, base: 0 }],
    desiredCount: 1,
    cpu: "256",
    memory: "512",
    logRetention: 7,
    exec: true,
    imageOwner: "pulumi",
    release: { style: "rolling" },
    edge: false,
  },
  staging: {
    domain: "staging.app.example.com",
    azs: 3,
    deletionProtection: true,
    accessLogDays: 30,
    insights: "enabled",
    strategy: [
      { capacityProvider: "FARGATE", weight: 1, base: 1 },
      { capacityProvider: "FARGATE_SPOT", weight: 1, base: 0 },
    ],
    desiredCount: 2,
    autoscaling: { min: 2, max: 4 },
    cpu: "256",
    memory: "512",
    logRetention: 30,
    exec: false,
    imageOwner: "pipeline",
    release: { style: "CANARY", bakeTime: "5", canary: { canaryPercent: 10, canaryBakeTimeInMinutes: "5" }, testPort: 8443, vpcCidr: "10.20.0.0/16" },
    edge: true,
  },
  prod: {
    domain: "app.example.com",
    azs: 3,
    deletionProtection: true,
    accessLogDays: 365,
    insights: "enhanced",
    strategy: [{ capacityProvider: "FARGATE", weight: 1, base: 0 }],
    desiredCount: 2,
    autoscaling: { min: 2, max: 10 },
    cpu: "512",
    memory: "1024",
    logRetention: 365,
    exec: false,
    imageOwner: "pipeline",
    release: { style: "BLUE_GREEN", bakeTime: "15", testPort: 8443, vpcCidr: "10.30.0.0/16" },
    edge: true,
  },
};

const REGION = "ap-northeast-2";
const APP_TYPES = [T.lb, T.listener, T.rule, T.tg, T.cert, T.cluster, T.service, T.taskDef, T.rdsCluster, T.rdsInstance, T.repo, T.image];

describe("app tier in the shipped stacks (shared evaluated first, its outputs feed the environments)", function () {
  this.timeout(300_000);
  let stacks: ReadonlyMap<string, Evaluation>;
  before(async () => {
    stacks = await evaluatedStacks();
  });

  it("with shared, creates no ALB, cluster, service or database (those sections are absent)", () => {
    const ev = stacks.get("shared")!;
    for (const type of APP_TYPES) expect(ofType(ev, type), type).to.have.length(0);
    expect(ev.outputs).to.not.have.any.keys("albDnsName", "clusterName", "serviceNames", "dbClusterEndpoint");
  });

  for (const stack of ENVIRONMENTS) {
    const x = EXPECTED[stack];
    describe(`with ${stack}`, () => {
      let ev: Evaluation;
      const r = (type: string, name: string) => one(ev, type, name);
      before(() => {
        ev = stacks.get(stack)!;
      });

      it("creates one internet-facing ALB in every public subnet, hardened, logging to its own bucket", () => {
        expect(ofType(ev, T.lb)).to.have.length(1);
        const lb = r(T.lb, `${stack}-alb-lb`);
        const bucket = r(T.bucket, `${stack}-alb-logs`);
        expect(lb.inputs).to.deep.include({
          name: `platform-${stack}`,
          loadBalancerType: "application",
          internal: false,
          ipAddressType: "ipv4",
          dropInvalidHeaderFields: true,
          desyncMitigationMode: "defensive",
          enableDeletionProtection: x.deletionProtection,
          securityGroups: [r(T.sg, `${stack}-alb-sg`).id],
          accessLogs: { enabled: true, bucket: bucket.outputs.bucket, prefix: "alb" },
        });
        expect(input<string[]>(lb, "subnets")).to.deep.equal(ev.outputs.publicSubnetIds).and.to.have.length(x.azs);
        expect(lb.dependencies).to.include(r(T.bucketPolicy, `${stack}-alb-logs`).urn);
      });

      it(x.edge ? "lets only CloudFront's origin-facing prefix list in on 443 (and a test listener port from the VPC only), and the ALB out only to service security groups" : "lets only 443 and 80 in from the internet (and a test listener port from the VPC only), and the ALB out only to service security groups", () => {
        const albSg = r(T.sg, `${stack}-alb-sg`).id;
        const ingress = ofType(ev, T.ingress).filter((i) => i.inputs.securityGroupId === albSg);
        const rel = x.release;
        // Behind the edge the prefix-list rule registers last: it waits for the managed prefix
        // list lookup (an invoke), while the services' test-port rules do not.
        const test = rel.style === "rolling" ? [] : [[rel.testPort, rel.testPort, "tcp", rel.vpcCidr]];
        expect(ingress.map((i) => [i.inputs.fromPort, i.inputs.toPort, i.inputs.ipProtocol, i.inputs.cidrIpv4 ?? i.inputs.prefixListId])).to.deep.equal(
          x.edge
            ? [...test, [443, 443, "tcp", managedPrefixList(CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST, REGION).id]]
            : [
                [443, 443, "tcp", "0.0.0.0/0"],
                [80, 80, "tcp", "0.0.0.0/0"],
                ...test,
              ],
        );
        if (x.edge) expect(ingress[ingress.length - 1].inputs.tags).to.deep.equal({ Name: `${stack}-alb-https-in`, PrefixList: CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST });
        const serviceSgs = [r(T.sg, `${stack}-svc-hello-sg`).id];
        const egress = ofType(ev, T.egress).filter((e) => e.inputs.securityGroupId === albSg);
        expect(egress.map((e) => [e.inputs.referencedSecurityGroupId, e.inputs.fromPort, e.inputs.cidrIpv4])).to.deep.equal([[serviceSgs[0], 8080, undefined]]);
        // Only the ALB's group is open to the internet (X2); behind the edge, none is.
        const open = ofType(ev, T.ingress).filter((i) => i.inputs.cidrIpv4 === "0.0.0.0/0" || i.inputs.cidrIpv6 === "::/0");
        expect([...new Set(open.map((i) => i.inputs.securityGroupId))]).to.deep.equal(x.edge ? [] : [albSg]);
      });

      it("has two production listeners, HTTPS with a TLS 1.2+/1.3 policy and the validated certificate, HTTP that only redirects, plus a test listener per traffic-shift service", () => {
        const listeners = ofType(ev, T.listener).sort((a, b) => a.name.localeCompare(b.name));
        const rel = x.release;
        expect(listeners.map((l) => [l.name, l.inputs.protocol, l.inputs.port])).to.deep.equal([
          [`${stack}-alb-http`, "HTTP", 80],
          [`${stack}-alb-https`, "HTTPS", 443],
          ...(rel.style === "rolling" ? [] : [[`${stack}-svc-hello-test`, "HTTPS", rel.testPort]]),
        ]);
        if (rel.style !== "rolling") {
          // Same certificate and TLS policy as production, and nothing but a 404 unless a rule matches.
          expect(r(T.listener, `${stack}-svc-hello-test`).inputs).to.deep.include({
            loadBalancerArn: r(T.lb, `${stack}-alb-lb`).outputs.arn,
            sslPolicy: DEFAULT_TLS_POLICY,
            certificateArn: r(T.cert, `${stack}-alb-cert`).outputs.arn,
            defaultActions: [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", messageBody: "Not Found", statusCode: "404" } }],
          });
        }
        const https = r(T.listener, `${stack}-alb-https`);
        expect(https.inputs.sslPolicy).to.equal(DEFAULT_TLS_POLICY);
        expect(https.inputs.certificateArn).to.equal(r(T.cert, `${stack}-alb-cert`).outputs.arn);
        expect(https.inputs.defaultActions).to.deep.equal([
          {
            type: "fixed-response",
            fixedResponse: x.edge ? { contentType: "text/plain", messageBody: "Forbidden", statusCode: "403" } : { contentType: "text/plain", messageBody: "Not Found", statusCode: "404" },
          },
        ]);
        expect(r(T.listener, `${stack}-alb-http`).inputs.defaultActions).to.deep.equal([
          { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
        ]);
      });

      it(x.edge ? "serves its origin name with a DNS-validated ACM certificate and an alias record to the ALB (the domain's records point at CloudFront)" : "serves its domain with a DNS-validated ACM certificate and an alias record (not addresses) to the ALB", () => {
        const cert = r(T.cert, `${stack}-alb-cert`);
        const origin = `origin.${x.domain}`;
        expect(cert.inputs).to.deep.include({ domainName: x.domain, validationMethod: "DNS", keyAlgorithm: "RSA_2048" });
        expect(cert.inputs.subjectAlternativeNames).to.deep.equal(x.edge ? [origin] : undefined);
        const [option] = cert.outputs.domainValidationOptions as Array<Record<string, string>>;
        const validation = r(T.record, `${stack}-alb-cert-validation`);
        expect(validation.inputs).to.deep.include({ name: option.resourceRecordName, type: "CNAME", records: [option.resourceRecordValue], ttl: 300 });
        const zoneId = input<string>(validation, "zoneId");
        expect(zoneId).to.match(/^Z[0-9A-Z]{13}$/);
        const originValidation = x.edge ? [r(T.record, `${stack}-alb-cert-validation-${origin.replace(/\./g, "-")}`).outputs.fqdn] : [];
        expect(r(T.certValidation, `${stack}-alb-cert`).inputs).to.deep.equal({
          certificateArn: cert.outputs.arn,
          validationRecordFqdns: [validation.outputs.fqdn, ...originValidation],
        });
        const lb = r(T.lb, `${stack}-alb-lb`);
        const alias = r(T.record, x.edge ? `${stack}-alb-alias-${origin.replace(/\./g, "-")}` : `${stack}-alb-alias`);
        expect(alias.inputs).to.deep.equal({
          zoneId,
          name: x.edge ? origin : x.domain,
          type: "A",
          aliases: [{ name: lb.outputs.dnsName, zoneId: "ZWKZPGTI48KDX", evaluateTargetHealth: true }],
        });
        // The ALB's records: validation and alias (and the origin name's validation behind the edge);
        // the edge adds the domain's A and AAAA aliases and validates through the ALB's record.
        expect(ofType(ev, T.record)).to.have.length(x.edge ? 5 : 2);
        expect(ev.outputs.albUrl).to.equal(`https://${x.domain}`);
        expect(ev.outputs.albDnsName).to.equal(lb.outputs.dnsName).and.to.match(new RegExp(`^platform-${stack}-\\d{10}\\.${REGION}\\.elb\\.amazonaws\\.com$`));
      });

      it("locks the access-log bucket down: SSE-S3, public access blocked, owner-enforced, expiring, ELB delivery only", () => {
        const bucket = r(T.bucket, `${stack}-alb-logs`);
        const name = `${stack}-alb-logs`;
        expect(r(T.sse, name).inputs.rules).to.deep.equal([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: false }]);
        expect(r(T.pab, name).inputs).to.deep.include({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
        expect(r(T.ownership, name).inputs.rule).to.deep.equal({ objectOwnership: "BucketOwnerEnforced" });
        expect(r(T.lifecycle, name).inputs.rules).to.deep.equal([
          { id: "expire-access-logs", status: "Enabled", filter: { prefix: "alb/" }, expiration: { days: x.accessLogDays }, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
        ]);
        const policy = JSON.parse(input<string>(r(T.bucketPolicy, name), "policy")) as PolicyDocument;
        expect(policy.Statement[0]).to.deep.equal({
          Sid: "AllowElbLogDelivery",
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::600734575887:root" },
          Action: "s3:PutObject",
          Resource: `${bucket.outputs.arn}/alb/AWSLogs/${MOCK_ACCOUNT_ID}/*`,
        });
        expect(policy.Statement[1].Sid).to.equal("DenyInsecureTransport");
        expect(bucket.inputs.forceDestroy).to.equal(stack === "dev");
      });

      it("routes the service with one listener rule at the planned priority to an IP target group with a health check", () => {
        const tg = r(T.tg, `${stack}-svc-hello-tg`);
        expect(input<string>(tg, "name")).to.match(new RegExp(`^platform-${stack}-hello-[0-9a-f]{6}$`)).and.have.length.at.most(32);
        expect(tg.inputs).to.deep.include({
          port: 8080,
          protocol: "HTTP",
          targetType: "ip",
          vpcId: ev.outputs.vpcId,
          healthCheck: { enabled: true, protocol: "HTTP", port: "traffic-port", path: "/health", matcher: "200-299", interval: 15, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3 },
        });
        const rules = ofType(ev, T.rule);
        const rel = x.release;
        if (rel.style === "rolling") {
          expect(rules).to.have.length(1);
          expect(rules[0].inputs).to.deep.include({
            listenerArn: r(T.listener, `${stack}-alb-https`).outputs.arn,
            priority: 100,
            actions: [{ type: "forward", targetGroupArn: tg.outputs.arn }],
            conditions: [{ pathPattern: { values: ["/*"] } }],
          });
          expect(rules[0].ignoreChanges).to.deep.equal([]);
          expect(ofType(ev, T.tg)).to.have.length(1);
          return;
        }
        // Traffic-shift styles: a green group identical to blue but for its name, and production
        // and test rules forwarding to both (blue 100, green 0), whose weights ECS owns.
        const green = r(T.tg, `${stack}-svc-hello-tg-green`);
        expect(input<string>(green, "name")).to.match(new RegExp(`^platform-${stack}-hello-g-[0-9a-f]{6}$`)).and.have.length.at.most(32);
        const { name: _b, tags: _bt, ...blueRest } = tg.inputs;
        const { name: _g, tags: _gt, ...greenRest } = green.inputs;
        expect(greenRest).to.deep.equal(blueRest);
        expect(ofType(ev, T.tg)).to.have.length(2);
        const forward = [{ type: "forward", forward: { targetGroups: [{ arn: tg.outputs.arn, weight: 100 }, { arn: green.outputs.arn, weight: 0 }] } }];
        expect(rules.map((x) => x.name).sort()).to.deep.equal([`${stack}-svc-hello-rule`, `${stack}-svc-hello-test-rule`]);
        expect(r(T.rule, `${stack}-svc-hello-rule`).inputs).to.deep.include({
          listenerArn: r(T.listener, `${stack}-alb-https`).outputs.arn,
          priority: 100,
          actions: forward,
        });
        // Behind the edge the production rule also requires the origin secret CloudFront adds (a
        // secret in state); the test rule does not (its callers never pass through CloudFront).
        const conditions = r(T.rule, `${stack}-svc-hello-rule`).inputs.conditions as unknown;
        if (!x.edge) expect(conditions).to.deep.equal([{ pathPattern: { values: ["/*"] } }]);
        else {
          const secret = one(ev, "random:index/randomPassword:RandomPassword", `${stack}-edge-origin-secret`).outputs.result;
          expect(unwrapSecret(conditions)).to.deep.equal([{ pathPattern: { values: ["/*"] } }, { httpHeader: { httpHeaderName: "X-Origin-Verify", values: [secret] } }]);
          expect(isSecretValue(conditions)).to.equal(true);
        }
        expect(r(T.rule, `${stack}-svc-hello-test-rule`).inputs).to.deep.include({
          listenerArn: r(T.listener, `${stack}-svc-hello-test`).outputs.arn,
          priority: 100,
          actions: forward,
          conditions: [{ pathPattern: { values: ["/*"] } }],
        });
        for (const rule of rules) expect(rule.ignoreChanges, rule.name).to.deep.equal(["actions"]);
      });

      it(x.release.style === "rolling" ? "deploys rolling: circuit breaker with rollback, min 100 / max 200 percent, no release extras" : `deploys ${x.release.style} natively: alternate group, both rules, the infrastructure role and rollback alarms`, () => {
        const svc = r(T.service, `${stack}-svc-hello-service`);
        const rel = x.release;
        if (rel.style === "rolling") {
          expect(svc.inputs).to.deep.include({ deploymentCircuitBreaker: { enable: true, rollback: true }, deploymentMinimumHealthyPercent: 100, deploymentMaximumPercent: 200 });
          // Explicit, so a service moved back from blueGreen leaves BLUE_GREEN (the provider keeps
          // an omitted, computed deploymentConfiguration as it is).
          expect(svc.inputs.deploymentConfiguration).to.deep.equal({ strategy: "ROLLING" });
          expect(svc.inputs).to.not.have.any.keys("alarms");
          expect(ofType(ev, T.alarm).filter((a) => a.name.startsWith(`${stack}-svc-`))).to.have.length(0);
          expect(ev.outputs.serviceReleases).to.deep.equal({ hello: { style: "rolling" } });
          return;
        }
        expect(svc.inputs).to.not.have.any.keys("deploymentMinimumHealthyPercent", "deploymentMaximumPercent");
        // Off explicitly, so a service moved here from rolling leaves its breaker behind.
        expect(svc.inputs.deploymentCircuitBreaker).to.deep.equal({ enable: false, rollback: false });
        expect(svc.inputs.deploymentConfiguration).to.deep.equal({ strategy: rel.style, bakeTimeInMinutes: rel.bakeTime, ...(rel.canary ? { canaryConfiguration: rel.canary } : {}) });
        const role = r(T.role, `${stack}-svc-hello-ecs-lb-role`);
        expect(JSON.parse(input<string>(role, "assumeRolePolicy"))).to.deep.equal({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "ecs.amazonaws.com" }, Action: "sts:AssumeRole" }],
        });
        const attachment = r("aws:iam/rolePolicyAttachment:RolePolicyAttachment", `${stack}-svc-hello-ecs-lb-role`);
        expect(attachment.inputs).to.deep.equal({ role: role.outputs.name, policyArn: "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers" });
        expect(svc.inputs.loadBalancers).to.deep.equal([
          {
            targetGroupArn: r(T.tg, `${stack}-svc-hello-tg`).outputs.arn,
            containerName: "hello",
            containerPort: 8080,
            advancedConfiguration: {
              alternateTargetGroupArn: r(T.tg, `${stack}-svc-hello-tg-green`).outputs.arn,
              productionListenerRule: r(T.rule, `${stack}-svc-hello-rule`).outputs.arn,
              testListenerRule: r(T.rule, `${stack}-svc-hello-test-rule`).outputs.arn,
              roleArn: role.outputs.arn,
            },
          },
        ]);
        const alarms = ofType(ev, T.alarm).filter((a) => a.name.startsWith(`${stack}-svc-hello-alarm-`));
        expect(alarms.map((a) => [a.inputs.name, a.inputs.metricName, a.inputs.threshold]).sort()).to.deep.equal([
          [`platform-${stack}-hello-5xx-blue`, "HTTPCode_Target_5XX_Count", 5],
          [`platform-${stack}-hello-5xx-green`, "HTTPCode_Target_5XX_Count", 5],
          [`platform-${stack}-hello-unhealthy-blue`, "UnHealthyHostCount", 0],
          [`platform-${stack}-hello-unhealthy-green`, "UnHealthyHostCount", 0],
        ]);
        expect(svc.inputs.alarms).to.deep.equal({ alarmNames: alarms.map((a) => a.inputs.name), enable: true, rollback: true });
        // The mocks answer with CloudWatch's ARN shape (arn:aws:cloudwatch:<region>:<account>:alarm:<name>).
        expect(alarms.map((a) => a.outputs.arn)).to.deep.equal(alarms.map((a) => `arn:aws:cloudwatch:${REGION}:${MOCK_ACCOUNT_ID}:alarm:${String(a.inputs.name)}`));
        // Dimensions: the ALB and each group's ARN suffix, as AWS/ApplicationELB metrics name them.
        expect(alarms.map((a) => (a.inputs.dimensions as Record<string, string>).TargetGroup).sort()).to.deep.equal(
          [r(T.tg, `${stack}-svc-hello-tg`), r(T.tg, `${stack}-svc-hello-tg-green`), r(T.tg, `${stack}-svc-hello-tg`), r(T.tg, `${stack}-svc-hello-tg-green`)].map((t) => String(t.outputs.arnSuffix)).sort(),
        );
        expect(ev.outputs.serviceReleases).to.deep.equal({ hello: { style: stack === "prod" ? "blueGreen" : "canary", testListenerPort: 8443 } });
        expect(svc.dependencies).to.include.members([r(T.rule, `${stack}-svc-hello-test-rule`).urn, attachment.urn]);
      });

      it("runs a task definition with a non-root, read-only, unprivileged container that logs to a managed group", () => {
        const td = r(T.taskDef, `${stack}-svc-hello-taskdef`);
        const execRole = r(T.role, `${stack}-svc-hello-execution-role`);
        const taskRole = r(T.role, `${stack}-svc-hello-task-role`);
        expect(td.inputs).to.deep.include({
          family: `platform-${stack}-hello`,
          requiresCompatibilities: ["FARGATE"],
          networkMode: "awsvpc",
          cpu: x.cpu,
          memory: x.memory,
          runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" },
          executionRoleArn: execRole.outputs.arn,
          taskRoleArn: taskRole.outputs.arn,
          volumes: x.exec ? [{ name: "tmp" }, { name: "ssm-agent-state" }, { name: "ssm-agent-logs" }] : [{ name: "tmp" }],
        });
        expect(td.inputs.executionRoleArn).to.not.equal(td.inputs.taskRoleArn);
        expect(td.inputs).to.not.have.any.keys("pidMode", "ipcMode");
        const defs = JSON.parse(input<string>(td, "containerDefinitions")) as ContainerDefinition[];
        expect(defs).to.have.length(1);
        const [c] = defs;
        expect(c).to.deep.include({
          name: "hello",
          essential: true,
          user: "1000:1000",
          readonlyRootFilesystem: true,
          privileged: false,
          stopTimeout: 30,
          portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: "tcp", name: "http", appProtocol: "http" }],
        });
        const logGroup = r(T.logGroup, `${stack}-svc-hello-logs`);
        expect(c.logConfiguration.options["awslogs-group"]).to.equal(`/platform/${stack}/services/hello`).and.equal(logGroup.inputs.name);
        expect(logGroup.inputs).to.deep.include({ retentionInDays: x.logRetention, kmsKeyId: r(T.kms, `${stack}-logs-key`).outputs.arn });
        expect(c.image).to.match(new RegExp(`^${MOCK_ACCOUNT_ID}\\.dkr\\.ecr\\.${REGION}\\.amazonaws\\.com/platform/${stack}/hello@sha256:[0-9a-f]{64}$`));
        for (const e of c.environment) expect(e.name, e.name).to.not.match(SECRET_LIKE_ENV);
      });

      it("hands the service where and as whom to connect as variables, and no credential at all (IAM authentication)", () => {
        const td = r(T.taskDef, `${stack}-svc-hello-taskdef`);
        const [c] = JSON.parse(input<string>(td, "containerDefinitions")) as ContainerDefinition[];
        expect(c.environment.filter((e) => e.name.startsWith("DB_") || e.name === "AWS_REGION")).to.deep.equal([
          { name: "AWS_REGION", value: REGION },
          { name: "DB_HOST", value: ev.outputs.dbClusterEndpoint },
          { name: "DB_IAM_AUTH", value: "true" },
          { name: "DB_NAME", value: "app" },
          { name: "DB_PORT", value: "5432" },
          { name: "DB_READER_HOST", value: ev.outputs.dbClusterReaderEndpoint },
          { name: "DB_USER", value: "svc_hello" },
        ]);
        expect(c.secrets).to.deep.equal([]);
        expect(ev.outputs.dbServiceUsers).to.deep.equal({ hello: "svc_hello" });
      });

      it("lets the service's task role rds-db:connect as svc_hello on this cluster only, and nothing else about the database", () => {
        const resourceId = ev.outputs.dbClusterResourceId as string;
        expect(resourceId).to.match(/^cluster-[A-Z0-9]{26}$/).and.equal(r(T.rdsCluster, `${stack}-db-cluster`).outputs.clusterResourceId);
        const policy = r(T.rolePolicy, `${stack}-svc-hello-task-role-db`);
        expect(policy.inputs.role).to.equal(r(T.role, `${stack}-svc-hello-task-role`).id);
        expect(JSON.parse(input<string>(policy, "policy"))).to.deep.equal({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "ConnectAsServiceUser",
              Effect: "Allow",
              Action: "rds-db:connect",
              Resource: `arn:aws:rds-db:${REGION}:${MOCK_ACCOUNT_ID}:dbuser:${resourceId}/svc_hello`,
            },
          ],
        });
      });

      it("keeps the master secret out of every service task definition and every service role", () => {
        const secretArn = ev.outputs.dbSecretArn as string;
        expect(secretArn).to.match(new RegExp(`^arn:aws:secretsmanager:${REGION}:${MOCK_ACCOUNT_ID}:secret:rds!cluster-`));
        const services = ofType(ev, T.service);
        expect(services).to.have.length.greaterThan(0);
        for (const svc of services) {
          const td = ofType(ev, T.taskDef).find((t) => t.outputs.arn === svc.inputs.taskDefinition)!;
          expect(input<string>(td, "containerDefinitions"), td.name).to.not.include(secretArn).and.not.include("secret:rds!");
        }
        const servicePolicies = ofType(ev, T.rolePolicy).filter((p) => p.name.startsWith(`${stack}-svc-`));
        expect(servicePolicies.map((p) => p.name).sort()).to.deep.equal(
          [`${stack}-svc-hello-execution-role`, `${stack}-svc-hello-task-role-db`, `${stack}-svc-hello-task-role-cache`, ...(x.exec ? [`${stack}-svc-hello-task-role-exec`] : [])].sort(),
        );
        for (const p of servicePolicies) expect(input<string>(p, "policy"), p.name).to.not.include("secretsmanager").and.not.include(secretArn);
      });

      it("runs the service in private subnets without public IPs, with the ECS deployment controller and the environment's capacity strategy", () => {
        const svc = r(T.service, `${stack}-svc-hello-service`);
        expect(svc.inputs).to.deep.include({
          name: "hello",
          cluster: ev.outputs.clusterArn,
          taskDefinition: r(T.taskDef, `${stack}-svc-hello-taskdef`).outputs.arn,
          desiredCount: x.desiredCount,
          platformVersion: "LATEST",
          capacityProviderStrategies: x.strategy,
          networkConfiguration: { subnets: ev.outputs.privateSubnetIds, securityGroups: [r(T.sg, `${stack}-svc-hello-sg`).id], assignPublicIp: false },
          deploymentController: { type: "ECS" },
          enableExecuteCommand: x.exec,
          propagateTags: "SERVICE",
          enableEcsManagedTags: true,
        });
        expect((ev.outputs.privateSubnetIds as string[]).length).to.equal(x.azs);
        expect(svc.deleteBeforeReplace).to.equal(true);
        expect(svc.dependencies).to.include.members([r(T.rule, `${stack}-svc-hello-rule`).urn, r(T.capacity, `${stack}-ecs-capacity-providers`).urn]);
        // Ownership: with autoscaling, Pulumi sets the count once and never resets it.
        expect(svc.ignoreChanges).to.deep.equal(x.autoscaling ? ["desiredCount"] : []);
      });

      it(x.autoscaling ? "autoscales on CPU and on ALB requests per target" : "has no autoscaling (a fixed count)", () => {
        const targets = ofType(ev, T.scalingTarget).filter((t) => t.inputs.serviceNamespace === "ecs");
        const policies = ofType(ev, T.scalingPolicy).filter((p) => p.inputs.serviceNamespace === "ecs");
        if (!x.autoscaling) {
          expect([targets.length, policies.length]).to.deep.equal([0, 0]);
          return;
        }
        expect(targets.map((t) => t.inputs)).to.deep.equal([
          {
            serviceNamespace: "ecs",
            scalableDimension: "ecs:service:DesiredCount",
            resourceId: `service/platform-${stack}/hello`,
            minCapacity: x.autoscaling.min,
            maxCapacity: x.autoscaling.max,
            tags: { Name: `${stack}-svc-hello-scaling`, Service: "hello" },
          },
        ]);
        const lb = r(T.lb, `${stack}-alb-lb`);
        const tg = r(T.tg, `${stack}-svc-hello-tg`);
        const configs = policies.map((p) => p.inputs.targetTrackingScalingPolicyConfiguration as Record<string, unknown>);
        if (x.release.style === "rolling") {
          expect(configs.map((c) => c.predefinedMetricSpecification)).to.deep.equal([
            { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
            { predefinedMetricType: "ALBRequestCountPerTarget", resourceLabel: `${lb.outputs.arnSuffix}/${tg.outputs.arnSuffix}` },
          ]);
          return;
        }
        // Traffic-shift styles: requests per target summed over both groups (traffic swaps groups every release).
        const green = r(T.tg, `${stack}-svc-hello-tg-green`);
        const stat = (id: string, suffix: unknown) => ({
          id,
          metricStat: { metric: { namespace: "AWS/ApplicationELB", metricName: "RequestCountPerTarget", dimensions: [{ name: "TargetGroup", value: suffix }] }, stat: "Sum" },
          returnData: false,
        });
        expect(configs[0].predefinedMetricSpecification).to.deep.equal({ predefinedMetricType: "ECSServiceAverageCPUUtilization" });
        expect(configs[1]).to.not.have.property("predefinedMetricSpecification");
        expect(configs[1].customizedMetricSpecification).to.deep.equal({
          metrics: [
            stat("blue", tg.outputs.arnSuffix),
            stat("green", green.outputs.arnSuffix),
            { id: "perTarget", expression: "FILL(blue, 0) + FILL(green, 0)", label: "ALB requests per target, both target groups", returnData: true },
          ],
        });
      });

      it("chains security groups by reference only: ALB → service on 8080, service → database on 5432, service → cache on 6379", () => {
        const albSg = r(T.sg, `${stack}-alb-sg`).id;
        const svcSg = r(T.sg, `${stack}-svc-hello-sg`).id;
        const dbSg = r(T.sg, `${stack}-db-sg`).id;
        const cacheSg = r(T.sg, `${stack}-cache-sg`).id;
        const rules = (type: string, sg: string | undefined) =>
          ofType(ev, type)
            .filter((x) => x.inputs.securityGroupId === sg)
            .map((x) => [x.inputs.referencedSecurityGroupId ?? x.inputs.cidrIpv4, x.inputs.fromPort, x.inputs.toPort]);
        expect(rules(T.ingress, svcSg)).to.deep.equal([[albSg, 8080, 8080]]);
        expect(rules(T.egress, svcSg)).to.deep.equal([
          ["0.0.0.0/0", 443, 443],
          [dbSg, 5432, 5432],
          [cacheSg, 6379, 6379],
        ]);
        const dbIngress = rules(T.ingress, dbSg);
        expect(dbIngress).to.deep.include([svcSg, 5432, 5432]);
        // A group in the peered management account (prod's) is referenced as `<account>/sg-…`.
        expect(dbIngress.every(([source, from, to]) => typeof source === "string" && /^(\d{12}\/)?sg-/.test(source) && from === 5432 && to === 5432)).to.equal(true);
        // The management bastion, by reference through the peering (never by CIDR).
        expect(dbIngress).to.deep.include([ev.outputs.managementBastionSecurityGroupId, 5432, 5432]);
        expect(rules(T.egress, dbSg)).to.deep.equal([]);
        for (const rule of [...ofType(ev, T.ingress), ...ofType(ev, T.egress)].filter((x) => [albSg, svcSg, dbSg].includes(x.inputs.securityGroupId as string))) {
          expect(input<string>(rule, "description"), rule.name).to.be.a("string").and.not.equal("");
        }
      });

      it("gives the service its own execution and task roles, trusting only this account's ECS", () => {
        for (const role of ["execution-role", "task-role"]) {
          const trust = JSON.parse(input<string>(r(T.role, `${stack}-svc-hello-${role}`), "assumeRolePolicy")) as PolicyDocument;
          expect(trust.Statement[0].Condition).to.deep.equal({
            StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID },
            ArnLike: { "aws:SourceArn": `arn:aws:ecs:${REGION}:${MOCK_ACCOUNT_ID}:*` },
          });
        }
      });

      it("scopes the execution role to its log group and repository: no secret, no key (X19)", () => {
        const doc = JSON.parse(input<string>(r(T.rolePolicy, `${stack}-svc-hello-execution-role`), "policy")) as PolicyDocument;
        const logGroupArn = r(T.logGroup, `${stack}-svc-hello-logs`).outputs.arn;
        expect(doc.Statement.map((s) => [s.Sid, s.Resource])).to.deep.equal([
          ["WriteLogs", `${logGroupArn}:log-stream:*`],
          ["EcrAuth", "*"],
          ["PullImage", [`arn:aws:ecr:${REGION}:${MOCK_ACCOUNT_ID}:repository/platform/${stack}/hello`]],
        ]);
        const taskPolicies = ofType(ev, T.rolePolicy).filter((p) => p.name === `${stack}-svc-hello-task-role-exec`);
        expect(taskPolicies).to.have.length(x.exec ? 1 : 0);
      });

      it("builds the image with awsx (remote components, mocked like awsx answers) into the service's repository", () => {
        const repo = r(T.repo, `${stack}-svc-hello-repo`);
        const image = r(T.image, `${stack}-svc-hello-image`);
        expect([repo.remote, image.remote, repo.custom, image.custom]).to.deep.equal([true, true, false, false]);
        expect(repo.inputs).to.deep.include({ name: `platform/${stack}/hello`, imageScanningConfiguration: { scanOnPush: true } });
        expect(repo.outputs.url).to.equal(`${MOCK_ACCOUNT_ID}.dkr.ecr.${REGION}.amazonaws.com/platform/${stack}/hello`);
        expect(image.inputs).to.deep.equal({ repositoryUrl: repo.outputs.url, context: "services/hello", platform: "linux/arm64" });
        expect(image.outputs.imageUri).to.match(/@sha256:[0-9a-f]{64}$/);
      });

      it("keeps the running image where its owner says: config for pulumi-owned, an SSM parameter for pipeline-owned", () => {
        const params = ofType(ev, T.ssmParam);
        if (x.imageOwner === "pulumi") {
          expect(params).to.have.length(0);
          expect(ev.outputs.serviceImageParameters).to.deep.equal({});
          return;
        }
        expect(params.map((p) => [p.name, p.inputs.name, p.ignoreChanges])).to.deep.equal([
          [`${stack}-svc-hello-image-param`, `/platform/${stack}/services/hello/image`, ["insecureValue", "value"]],
        ]);
        expect(ev.outputs.serviceImageParameters).to.deep.equal({ hello: `/platform/${stack}/services/hello/image` });
      });

      it("runs one cluster with both Fargate capacity providers, Container Insights as configured and audited ECS Exec", () => {
        const cluster = r(T.cluster, `${stack}-ecs-cluster`);
        const key = r(T.kms, `${stack}-logs-key`);
        const execLogs = r(T.logGroup, `${stack}-ecs-exec-logs`);
        expect(cluster.inputs).to.deep.include({
          name: `platform-${stack}`,
          settings: [{ name: "containerInsights", value: x.insights }],
          configuration: {
            executeCommandConfiguration: {
              kmsKeyId: key.outputs.arn,
              logging: "OVERRIDE",
              logConfiguration: { cloudWatchLogGroupName: `/platform/${stack}/ecs-exec`, cloudWatchEncryptionEnabled: true },
            },
          },
        });
        expect(execLogs.inputs).to.deep.include({ name: `/platform/${stack}/ecs-exec`, retentionInDays: x.logRetention, kmsKeyId: key.outputs.arn });
        expect(r(T.capacity, `${stack}-ecs-capacity-providers`).inputs).to.deep.equal({
          clusterName: `platform-${stack}`,
          capacityProviders: ["FARGATE", "FARGATE_SPOT"],
          defaultCapacityProviderStrategies: x.strategy,
        });
        expect(key.inputs).to.deep.include({ enableKeyRotation: true, deletionWindowInDays: 30 });
        const policy = JSON.parse(input<string>(key, "policy")) as PolicyDocument;
        expect(policy.Statement[1].Principal).to.deep.equal({ Service: `logs.${REGION}.amazonaws.com` });
      });

      it("pre-creates every log group AWS would write to, with retention (X8)", () => {
        const groups = new Map(ofType(ev, T.logGroup).map((g) => [g.inputs.name as string, g]));
        const td = r(T.taskDef, `${stack}-svc-hello-taskdef`);
        const [c] = JSON.parse(input<string>(td, "containerDefinitions")) as ContainerDefinition[];
        const cluster = r(T.rdsCluster, `${stack}-db-cluster`);
        const sinks = [
          c.logConfiguration.options["awslogs-group"],
          `/platform/${stack}/ecs-exec`,
          ...input<string[]>(cluster, "enabledCloudwatchLogsExports").map((t) => `/aws/rds/cluster/${cluster.outputs.clusterIdentifier}/${t}`),
        ];
        for (const sink of sinks) {
          expect(groups.has(sink), sink).to.equal(true);
          expect(groups.get(sink)!.inputs.retentionInDays, sink).to.be.a("number");
          expect(groups.get(sink)!.inputs.kmsKeyId, sink).to.match(/^arn:aws:kms:/);
        }
      });

      it("exports the app-tier outputs", () => {
        expect(ev.outputs).to.include({ clusterName: `platform-${stack}`, dbClusterIdentifier: `platform-${stack}`, dbPort: 5432, dbName: "app" });
        expect(ev.outputs.serviceNames).to.deep.equal(["hello"]);
        expect(ev.outputs.dbClusterEndpoint).to.match(new RegExp(`^platform-${stack}\\.cluster-[0-9a-f]{12}\\.${REGION}\\.rds\\.amazonaws\\.com$`));
      });

      it("admits the service port into the private tier's NACL from the public tier", () => {
        const rules = ofType(ev, "aws:ec2/networkAclRule:NetworkAclRule").filter((n) => n.name.startsWith(`${stack}-private-in-`));
        expect(rules.filter((n) => n.inputs.fromPort === 8080 && n.inputs.toPort === 8080).map((n) => n.inputs.cidrBlock)).to.include(
          (ev.outputs.tierCidrs as Record<string, string>).public,
        );
      });
    });
  }
});
