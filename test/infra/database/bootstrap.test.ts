import { expect } from "chai";
import { Evaluation } from "../../../cli/evaluate/harness";
import { MOCK_ACCOUNT_ID } from "../../../cli/evaluate/mocks";
import { ContainerDefinition, PolicyDocument } from "../../../infra/app/plan";
import { masterSecretReadPolicy, planBootstrapSql } from "../../../infra/database/plan";
import { ENVIRONMENTS, T, evaluateVariant, evaluatedStacks, input, one, ofType } from "../app/evaluated";

/**
 * The database bootstrap task and master-secret access in each shipped stack, evaluated under the
 * mocks with its real config file: the task definition, its network and roles, and which roles in
 * the stack may read the master secret (the bootstrap execution role and the bastion's only).
 */
const REGION = "ap-northeast-2";
const LOG_RETENTION: Record<string, number> = { dev: 7, staging: 30, prod: 365 };

describe("database bootstrap task and master-secret access in the shipped stacks", function () {
  this.timeout(300_000);
  let stacks: ReadonlyMap<string, Evaluation>;
  before(async () => {
    stacks = await evaluatedStacks();
  });

  it("with shared, has no bootstrap task, and exports the bastion role name environments grant the secret to", () => {
    const ev = stacks.get("shared")!;
    expect(ofType(ev, "platform:database:Bootstrap")).to.have.length(0);
    expect(ev.outputs.bastionRoleName).to.equal(one(ev, T.role, "shared-bastion-role").outputs.name);
  });

  for (const stack of ENVIRONMENTS) {
    describe(`with ${stack}`, () => {
      let ev: Evaluation;
      const r = (type: string, name: string) => one(ev, type, name);
      before(() => {
        ev = stacks.get(stack)!;
      });

      it("defines one Fargate bootstrap task definition, with its own execution and task roles, that no ECS service runs", () => {
        const td = r(T.taskDef, `${stack}-db-bootstrap-taskdef`);
        expect(td.inputs).to.deep.include({
          family: `platform-${stack}-db-bootstrap`,
          requiresCompatibilities: ["FARGATE"],
          networkMode: "awsvpc",
          cpu: "256",
          memory: "512",
          runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" },
          executionRoleArn: r(T.role, `${stack}-db-bootstrap-execution-role`).outputs.arn,
          taskRoleArn: r(T.role, `${stack}-db-bootstrap-task-role`).outputs.arn,
          volumes: [{ name: "tmp" }],
        });
        expect(ofType(ev, T.service).map((s) => s.inputs.taskDefinition)).to.not.include(td.outputs.arn);
        expect(ev.outputs.dbBootstrapTaskDefinitionArn).to.equal(td.outputs.arn);
      });

      it("runs the idempotent SQL for every database service as the master user, whose credentials come from the master secret at task start", () => {
        const td = r(T.taskDef, `${stack}-db-bootstrap-taskdef`);
        const [c, ...rest] = JSON.parse(input<string>(td, "containerDefinitions")) as ContainerDefinition[];
        expect(rest).to.have.length(0);
        const secretArn = ev.outputs.dbSecretArn as string;
        expect(c).to.deep.include({
          name: "db-bootstrap",
          essential: true,
          portMappings: [],
          user: "1000:1000",
          readonlyRootFilesystem: true,
          privileged: false,
          secrets: [
            { name: "DB_MASTER_PASSWORD", valueFrom: `${secretArn}:password::` },
            { name: "DB_MASTER_USERNAME", valueFrom: `${secretArn}:username::` },
          ],
          environment: [
            { name: "BOOTSTRAP_SQL", value: planBootstrapSql("aurora-postgresql", "app", ["svc_hello"]) },
            { name: "DB_ENGINE", value: "aurora-postgresql" },
            { name: "DB_HOST", value: ev.outputs.dbClusterEndpoint },
            { name: "DB_NAME", value: "app" },
            { name: "DB_PORT", value: "5432" },
          ],
        });
        expect(c.image).to.match(new RegExp(`^${MOCK_ACCOUNT_ID}\\.dkr\\.ecr\\.${REGION}\\.amazonaws\\.com/platform/${stack}/db-bootstrap@sha256:[0-9a-f]{64}$`));
        expect(r(T.image, `${stack}-db-bootstrap-image`).inputs).to.deep.equal({
          repositoryUrl: r(T.repo, `${stack}-db-bootstrap-repo`).outputs.url,
          context: "services/db-bootstrap",
          platform: "linux/arm64",
        });
        expect(c.logConfiguration.options["awslogs-group"]).to.equal(`/platform/${stack}/db-bootstrap`);
        expect(r(T.logGroup, `${stack}-db-bootstrap-logs`).inputs).to.deep.include({
          name: `/platform/${stack}/db-bootstrap`,
          retentionInDays: LOG_RETENTION[stack],
          kmsKeyId: r(T.kms, `${stack}-logs-key`).outputs.arn,
        });
      });

      it("gives the execution role exactly its logs, its image and the master secret with its key; the task role nothing", () => {
        const doc = JSON.parse(input<string>(r(T.rolePolicy, `${stack}-db-bootstrap-execution-role`), "policy")) as PolicyDocument;
        const logGroupArn = r(T.logGroup, `${stack}-db-bootstrap-logs`).outputs.arn;
        expect(doc.Statement).to.deep.equal([
          { Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logGroupArn}:log-stream:*` },
          { Sid: "EcrAuth", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
          {
            Sid: "PullImage",
            Effect: "Allow",
            Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            Resource: [`arn:aws:ecr:${REGION}:${MOCK_ACCOUNT_ID}:repository/platform/${stack}/db-bootstrap`],
          },
          { Sid: "ReadMasterSecret", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: ev.outputs.dbSecretArn },
          {
            Sid: "DecryptMasterSecret",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: r(T.kms, `${stack}-db-key`).outputs.arn,
            Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com` } },
          },
        ]);
        const taskRole = r(T.role, `${stack}-db-bootstrap-task-role`);
        expect(ofType(ev, T.rolePolicy).filter((p) => p.inputs.role === taskRole.id)).to.deep.equal([]);
      });

      it("places the task's own security group in the VPC with no inbound rule, out only to HTTPS and the database, which admits it", () => {
        const sg = r(T.sg, `${stack}-db-bootstrap-sg`);
        const dbSg = r(T.sg, `${stack}-db-sg`);
        expect(sg.inputs.vpcId).to.equal(ev.outputs.vpcId);
        expect(sg.inputs.tags).to.deep.include({ Role: "db-bootstrap" });
        const rules = (type: string, sgId: string | undefined) =>
          ofType(ev, type)
            .filter((x) => x.inputs.securityGroupId === sgId)
            .map((x) => [x.name, x.inputs.referencedSecurityGroupId ?? x.inputs.cidrIpv4, x.inputs.fromPort, x.inputs.toPort]);
        expect(rules(T.ingress, sg.id)).to.deep.equal([]);
        expect(rules(T.egress, sg.id)).to.deep.equal([
          [`${stack}-db-bootstrap-https-out`, "0.0.0.0/0", 443, 443],
          [`${stack}-db-bootstrap-db-out`, dbSg.id, 5432, 5432],
        ]);
        expect(rules(T.ingress, dbSg.id)).to.deep.include([`${stack}-db-bootstrap-db-in`, sg.id, 5432, 5432]);
      });

      it("exports what `aws ecs run-task` needs: task definition, cluster, private subnets and security group", () => {
        expect(ev.outputs).to.deep.include({
          dbBootstrapClusterArn: ev.outputs.clusterArn,
          dbBootstrapSubnetIds: ev.outputs.privateSubnetIds,
          dbBootstrapSecurityGroupId: r(T.sg, `${stack}-db-bootstrap-sg`).id,
          dbBootstrapLogGroupName: `/platform/${stack}/db-bootstrap`,
        });
      });

      it("lets only the bootstrap execution role and (within one account) the management bastion's role read the master secret", () => {
        const secretArn = ev.outputs.dbSecretArn as string;
        const readers = ofType(ev, T.rolePolicy).filter((p) => input<string>(p, "policy").includes(secretArn));
        // Across accounts (a peering with peerOwnerId) the bastion's role cannot be granted it here.
        const crossAccount = ofType(ev, "aws:ec2/vpcPeeringConnection:VpcPeeringConnection").some((p) => p.inputs.peerOwnerId !== undefined);
        expect(readers.map((p) => p.name).sort()).to.deep.equal([
          `${stack}-db-bootstrap-execution-role`,
          ...(crossAccount ? [] : [`${stack}-management-bastion-db-secret`]),
        ]);
        // Nothing else in the stack names the secret, the way ECS secrets or IAM would.
        const holders = ofType(ev, T.taskDef).filter((td) => input<string>(td, "containerDefinitions").includes(secretArn));
        expect(holders.map((td) => td.name)).to.deep.equal([`${stack}-db-bootstrap-taskdef`]);
        if (crossAccount) return;
        const bastion = r(T.rolePolicy, `${stack}-management-bastion-db-secret`);
        const shared = stacks.get("shared")!;
        expect(bastion.inputs.role).to.equal(shared.outputs.bastionRoleName);
        expect(bastion.inputs.name).to.equal(`platform-${stack}-db-master-secret`);
        expect(JSON.parse(input<string>(bastion, "policy"))).to.deep.equal(
          masterSecretReadPolicy({ secretArn, kmsKeyArn: r(T.kms, `${stack}-db-key`).outputs.arn as string, region: REGION }),
        );
      });
    });
  }
});

describe("master-secret access with a bastion in the environment's own stack (dev's file, platform:bastion enabled)", function () {
  this.timeout(300_000);
  let ev: Evaluation;
  before(async () => {
    ev = await evaluateVariant("dev", (c) => {
      c["platform:bastion"] = { enabled: true };
    });
  });

  it("grants the environment's bastion role, besides the management bastion and the bootstrap task, exactly the master secret", () => {
    const secretArn = ev.outputs.dbSecretArn as string;
    const readers = ofType(ev, T.rolePolicy).filter((p) => input<string>(p, "policy").includes(secretArn));
    expect(readers.map((p) => p.name).sort()).to.deep.equal(["dev-bastion-db-secret", "dev-db-bootstrap-execution-role", "dev-management-bastion-db-secret"]);
    const own = one(ev, T.rolePolicy, "dev-bastion-db-secret");
    expect(own.inputs.role).to.equal(one(ev, T.role, "dev-bastion-role").outputs.name);
    expect(JSON.parse(input<string>(own, "policy"))).to.deep.equal(
      masterSecretReadPolicy({ secretArn, kmsKeyArn: one(ev, T.kms, "dev-db-key").outputs.arn as string, region: REGION }),
    );
  });
});
