import { expect } from "chai";
import { planBootstrapSql } from "../../../infra/database/plan";
import { Evaluation } from "../../../cli/evaluate/harness";
import { MOCK_ACCOUNT_ID } from "../../../cli/evaluate/mocks";
import { ContainerDefinition, PolicyDocument } from "../../../infra/app/plan";
import { T, evaluateVariant, input, one, ofType } from "./evaluated";

/**
 * Configurations the shipped stacks do not use, each evaluated from a shipped stack's file with a
 * few keys changed: the other certificate mode, WAF, several routed services, external images with
 * secrets, Aurora MySQL, provisioned readers across three AZs.
 */
type Raw = Record<string, unknown>;
const CERT = "arn:aws:acm:ap-northeast-2:123456789012:certificate/0b1c2d3e-4f50-4617-8899-aabbccddeeff";
const WAF = "arn:aws:wafv2:ap-northeast-2:123456789012:regional/webacl/platform/7c6f0c4e-1111-2222-3333-444455556666";
const SECRET = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:api/stripe-Xy12Ab";
const PARAM = "arn:aws:ssm:ap-northeast-2:123456789012:parameter/api/feature-key";
const KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/11111111-2222-3333-4444-555555555555";

describe("app tier variants (a shipped stack's file with some keys changed)", function () {
  this.timeout(300_000);

  describe("with an existing certificate ARN and a WAF web ACL (dev's file)", () => {
    let ev: Evaluation;
    before(async () => {
      ev = await evaluateVariant("dev", (c) => {
        c["platform:alb"] = { certificateArn: CERT, wafWebAclArn: WAF, deletionProtection: false };
      });
    });

    it("creates no certificate and no DNS records, and the HTTPS listener uses the given ARN", () => {
      expect([ofType(ev, T.cert).length, ofType(ev, T.certValidation).length, ofType(ev, T.record).length]).to.deep.equal([0, 0, 0]);
      expect(one(ev, T.listener, "dev-alb-https").inputs.certificateArn).to.equal(CERT);
      expect(ev.outputs.albUrl).to.equal(`https://${one(ev, T.lb, "dev-alb-lb").outputs.dnsName}`);
    });

    it("associates the web ACL with the ALB", () => {
      expect(ofType(ev, T.waf).map((w) => w.inputs)).to.deep.equal([{ resourceArn: one(ev, T.lb, "dev-alb-lb").outputs.arn, webAclArn: WAF }]);
    });
  });

  describe("with three services routed by host and path, one from a public image with its own secrets (staging's file)", () => {
    let ev: Evaluation;
    before(async () => {
      ev = await evaluateVariant("staging", (c) => {
        // The ALB facing the internet directly, as without the edge: its routing and its own DNS
        // records are what this variant checks (test/infra/edge covers the ALB behind CloudFront).
        delete c["platform:edge"];
        c["platform:alb"] = { ...(c["platform:alb"] as Raw), alternativeNames: ["*.staging.app.example.com", "www.staging.app.example.com"] };
        const hello = (c["platform:services"] as Raw[])[0];
        c["platform:services"] = [
          hello,
          {
            name: "api",
            image: "public.ecr.aws/acme/api:1.4.2",
            port: 9000,
            routing: { paths: ["/api/*"] },
            secrets: { STRIPE_KEY: `${SECRET}:key::`, FEATURE_KEY: PARAM },
            secretKmsKeyArns: [KEY],
          },
          { name: "admin", build: "services/hello", port: 8080, routing: { hosts: ["admin.staging.app.example.com"], paths: ["/api/*"] } },
        ];
      });
    });

    it("orders listener rules host+path first, then the longer path, then /*", () => {
      const rules = ofType(ev, T.rule).map((r) => [r.name, r.inputs.priority, r.inputs.conditions]);
      expect(rules.sort((a, b) => (a[1] as number) - (b[1] as number))).to.deep.equal([
        ["staging-svc-admin-rule", 100, [{ hostHeader: { values: ["admin.staging.app.example.com"] } }, { pathPattern: { values: ["/api/*"] } }]],
        ["staging-svc-api-rule", 110, [{ pathPattern: { values: ["/api/*"] } }]],
        ["staging-svc-hello-rule", 120, [{ pathPattern: { values: ["/*"] } }]],
        // hello deploys canary in staging: its test listener has its own rule, same priority and conditions.
        ["staging-svc-hello-test-rule", 120, [{ pathPattern: { values: ["/*"] } }]],
      ]);
    });

    it("validates the domain and its wildcard with one record, www with another, and aliases the non-wildcard names", () => {
      const cert = one(ev, T.cert, "staging-alb-cert");
      expect(cert.inputs.subjectAlternativeNames).to.deep.equal(["*.staging.app.example.com", "www.staging.app.example.com"]);
      const names = ofType(ev, T.record)
        .map((r) => [r.name, r.inputs.type, r.inputs.name])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
      // Logical names derive from the DNS name, so reordering alternativeNames renames nothing.
      expect(names.map((n) => [n[0], n[1]])).to.deep.equal([
        ["staging-alb-alias", "A"],
        ["staging-alb-alias-www-staging-app-example-com", "A"],
        ["staging-alb-cert-validation", "CNAME"],
        ["staging-alb-cert-validation-www-staging-app-example-com", "CNAME"],
      ]);
      expect([names[0][2], names[1][2]]).to.deep.equal(["staging.app.example.com", "www.staging.app.example.com"]);
      // The validation records are the ones ACM asked for, per base name.
      const options = cert.outputs.domainValidationOptions as Array<Record<string, string>>;
      expect(names[2][2]).to.equal(options.find((o) => o.domainName === "staging.app.example.com")!.resourceRecordName);
      expect(names[3][2]).to.equal(options.find((o) => o.domainName === "www.staging.app.example.com")!.resourceRecordName);
      expect(one(ev, T.certValidation, "staging-alb-cert").inputs.validationRecordFqdns).to.have.length(2);
    });

    it("opens each service's port only from the ALB, and the ALB only to each service on its port", () => {
      const albSg = one(ev, T.sg, "staging-alb-sg").id;
      const egress = ofType(ev, T.egress)
        .filter((e) => e.inputs.securityGroupId === albSg)
        .map((e) => [e.name, e.inputs.fromPort])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
      expect(egress).to.deep.equal([
        ["staging-svc-admin-alb-out", 8080],
        ["staging-svc-api-alb-out", 9000],
        ["staging-svc-hello-alb-out", 8080],
      ]);
    });

    it("gives the public-image service no ECR permission, and only its two secrets and their key", () => {
      const doc = JSON.parse(input<string>(one(ev, T.rolePolicy, "staging-svc-api-execution-role"), "policy")) as PolicyDocument;
      expect(doc.Statement.map((s) => [s.Sid, s.Resource])).to.deep.equal([
        ["WriteLogs", `${one(ev, T.logGroup, "staging-svc-api-logs").outputs.arn}:log-stream:*`],
        ["ReadSecrets", [SECRET]],
        ["ReadParameters", [PARAM]],
        ["DecryptSecrets", [KEY]],
      ]);
      const [c] = JSON.parse(input<string>(one(ev, T.taskDef, "staging-svc-api-taskdef"), "containerDefinitions")) as ContainerDefinition[];
      expect(c.secrets).to.deep.equal([
        { name: "FEATURE_KEY", valueFrom: PARAM },
        { name: "STRIPE_KEY", valueFrom: `${SECRET}:key::` },
      ]);
      expect(c.environment).to.deep.equal([]);
      // No database: true, so no database rules either.
      expect(ofType(ev, T.egress).filter((e) => e.name === "staging-svc-api-db-out")).to.have.length(0);
      expect(ofType(ev, T.rolePolicy).filter((p) => p.name === "staging-svc-api-task-role-db")).to.have.length(0);
    });

    it("creates database users only for the services with database: true (one user, one rds-db:connect)", () => {
      expect(ev.outputs.dbServiceUsers).to.deep.equal({ hello: "svc_hello" });
      expect(ofType(ev, T.rolePolicy).filter((p) => p.name.endsWith("-task-role-db")).map((p) => p.name)).to.deep.equal(["staging-svc-hello-task-role-db"]);
    });

    it("opens every service port in the private tier's NACL", () => {
      const ports = ofType(ev, "aws:ec2/networkAclRule:NetworkAclRule")
        .filter((n) => n.name.startsWith("staging-private-in-1"))
        .map((n) => n.inputs.fromPort);
      expect(ports).to.include.members([8080, 9000]);
    });
  });

  describe("with Aurora MySQL on provisioned instances, two readers across three AZs (prod's file)", () => {
    let ev: Evaluation;
    before(async () => {
      ev = await evaluateVariant("prod", (c) => {
        c["platform:database"] = {
          engine: "aurora-mysql",
          engineVersion: "8.0.mysql_aurora.3.08.0",
          instanceClass: "db.r7g.large",
          readers: 2,
          masterUsername: "ops_admin",
        };
      });
    });

    it("places three instances in three distinct AZs and exports MySQL's logs into created log groups", () => {
      const instances = ofType(ev, T.rdsInstance).sort((a, b) => a.name.localeCompare(b.name));
      expect(instances.map((i) => [i.inputs.instanceClass, i.inputs.availabilityZone, i.inputs.promotionTier])).to.deep.equal([
        ["db.r7g.large", "ap-northeast-2a", 0],
        ["db.r7g.large", "ap-northeast-2b", 1],
        ["db.r7g.large", "ap-northeast-2c", 1],
      ]);
      const cluster = one(ev, T.rdsCluster, "prod-db-cluster");
      expect(cluster.inputs).to.deep.include({ engine: "aurora-mysql", port: 3306, masterUsername: "ops_admin", enabledCloudwatchLogsExports: ["audit", "error", "slowquery"] });
      for (const type of ["audit", "error", "slowquery"]) {
        expect(one(ev, T.logGroup, `prod-db-log-${type}`).inputs.name).to.equal(`/aws/rds/cluster/platform-prod/${type}`);
      }
      expect(one(ev, T.paramGroup, "prod-db-params").inputs).to.deep.include({ family: "aurora-mysql8.0" });
      expect(one(ev, T.paramGroup, "prod-db-params").inputs.parameters).to.deep.include({ name: "require_secure_transport", value: "ON", applyMethod: "immediate" });
    });

    it("moves the database port to 3306 everywhere: security groups, NACLs and the service's variables", () => {
      const dbSg = one(ev, T.sg, "prod-db-sg").id;
      expect(ofType(ev, T.ingress).filter((i) => i.inputs.securityGroupId === dbSg).map((i) => i.inputs.fromPort)).to.deep.equal([3306, 3306, 3306]);
      expect(one(ev, T.egress, "prod-svc-hello-db-out").inputs).to.include({ fromPort: 3306, toPort: 3306, referencedSecurityGroupId: dbSg });
      expect(one(ev, T.egress, "prod-db-bootstrap-db-out").inputs).to.include({ fromPort: 3306, toPort: 3306, referencedSecurityGroupId: dbSg });
      const isolatedIn = ofType(ev, "aws:ec2/networkAclRule:NetworkAclRule").filter((n) => n.name === "prod-isolated-in-100");
      expect(isolatedIn.map((n) => n.inputs.fromPort)).to.deep.equal([3306]);
      const [c] = JSON.parse(input<string>(one(ev, T.taskDef, "prod-svc-hello-taskdef"), "containerDefinitions")) as ContainerDefinition[];
      expect(c.environment.find((e) => e.name === "DB_PORT")).to.deep.equal({ name: "DB_PORT", value: "3306" });
      expect(ev.outputs.dbPort).to.equal(3306);
      expect(String(ev.outputs.dbSecretArn)).to.include(`:${MOCK_ACCOUNT_ID}:secret:rds!cluster-`);
    });

    it("bootstraps the service's MySQL user with the AWS authentication plugin", () => {
      const [c] = JSON.parse(input<string>(one(ev, T.taskDef, "prod-db-bootstrap-taskdef"), "containerDefinitions")) as ContainerDefinition[];
      expect(c.environment.filter((e) => ["BOOTSTRAP_SQL", "DB_ENGINE", "DB_PORT"].includes(e.name))).to.deep.equal([
        { name: "BOOTSTRAP_SQL", value: planBootstrapSql("aurora-mysql", "app", ["svc_hello"]) },
        { name: "DB_ENGINE", value: "aurora-mysql" },
        { name: "DB_PORT", value: "3306" },
      ]);
      expect(planBootstrapSql("aurora-mysql", "app", ["svc_hello"])).to.include("IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'");
    });
  });
});
