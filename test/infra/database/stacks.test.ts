import { expect } from "chai";
import { Evaluation } from "../../../cli/evaluate/harness";
import { MOCK_ACCOUNT_ID } from "../../../cli/evaluate/mocks";
import { PolicyDocument } from "../../../infra/app/plan";
import { ENVIRONMENTS, T, evaluatedStacks, input, one, ofType } from "../app/evaluated";

/** Aurora in each shipped stack, evaluated under the mocks with its real config file. */
interface Expected {
  readonly instanceClass: string;
  readonly instances: number;
  readonly azs: string[];
  readonly serverless?: Record<string, number>;
  readonly safety: { deletionProtection: boolean; skipFinalSnapshot: boolean; protect: boolean };
  readonly backupRetentionPeriod: number;
  readonly logRetention: number;
  readonly performanceInsights: boolean;
  readonly readerAutoscaling?: { min: number; max: number };
}

const EXPECTED: Record<string, Expected> = {
  dev: {
    instanceClass: "db.serverless",
    instances: 1,
    azs: ["ap-northeast-2a"],
    serverless: { minCapacity: 0, maxCapacity: 2, secondsUntilAutoPause: 600 },
    safety: { deletionProtection: false, skipFinalSnapshot: true, protect: false },
    backupRetentionPeriod: 1,
    logRetention: 7,
    performanceInsights: false,
  },
  staging: {
    instanceClass: "db.serverless",
    instances: 2,
    azs: ["ap-northeast-2a", "ap-northeast-2b"],
    serverless: { minCapacity: 0.5, maxCapacity: 4 },
    safety: { deletionProtection: true, skipFinalSnapshot: false, protect: true },
    backupRetentionPeriod: 7,
    logRetention: 30,
    performanceInsights: true,
  },
  prod: {
    instanceClass: "db.r6g.large",
    instances: 2,
    azs: ["ap-northeast-2a", "ap-northeast-2b"],
    safety: { deletionProtection: true, skipFinalSnapshot: false, protect: true },
    backupRetentionPeriod: 14,
    logRetention: 365,
    performanceInsights: true,
    readerAutoscaling: { min: 1, max: 2 },
  },
};

describe("Aurora in the shipped stacks", function () {
  this.timeout(300_000);
  let stacks: ReadonlyMap<string, Evaluation>;
  before(async () => {
    stacks = await evaluatedStacks();
  });

  for (const stack of ENVIRONMENTS) {
    const x = EXPECTED[stack];
    describe(`with ${stack}`, () => {
      let ev: Evaluation;
      const r = (type: string, name: string) => one(ev, type, name);
      before(() => {
        ev = stacks.get(stack)!;
      });

      it("creates one encrypted cluster with IAM auth, a managed master secret and a non-default user, all set explicitly", () => {
        expect(ofType(ev, T.rdsCluster)).to.have.length(1);
        const cluster = r(T.rdsCluster, `${stack}-db-cluster`);
        const key = r(T.kms, `${stack}-db-key`);
        expect(cluster.inputs).to.deep.include({
          clusterIdentifier: `platform-${stack}`,
          engine: "aurora-postgresql",
          engineVersion: "16.6",
          engineMode: "provisioned",
          databaseName: "app",
          port: 5432,
          masterUsername: "platform_admin",
          manageMasterUserPassword: true,
          masterUserSecretKmsKeyId: key.outputs.arn,
          iamDatabaseAuthenticationEnabled: true,
          storageEncrypted: true,
          kmsKeyId: key.outputs.arn,
          copyTagsToSnapshot: true,
          backupRetentionPeriod: x.backupRetentionPeriod,
          enabledCloudwatchLogsExports: ["postgresql"],
          allowMajorVersionUpgrade: false,
          deleteAutomatedBackups: false,
          vpcSecurityGroupIds: [r(T.sg, `${stack}-db-sg`).id],
          dbSubnetGroupName: r(T.subnetGroup, `${stack}-db-subnets`).outputs.name,
          dbClusterParameterGroupName: r(T.paramGroup, `${stack}-db-params`).outputs.name,
        });
        expect(cluster.inputs).to.not.have.any.keys("masterPassword");
        expect(cluster.inputs.serverlessv2ScalingConfiguration).to.deep.equal(x.serverless);
      });

      it(`applies the environment's safety flags: deletion protection ${x.safety.deletionProtection}, final snapshot ${!x.safety.skipFinalSnapshot}, protect ${x.safety.protect}`, () => {
        const cluster = r(T.rdsCluster, `${stack}-db-cluster`);
        expect(cluster.inputs.deletionProtection).to.equal(x.safety.deletionProtection);
        expect(cluster.inputs.skipFinalSnapshot).to.equal(x.safety.skipFinalSnapshot);
        expect(cluster.inputs.finalSnapshotIdentifier).to.equal(x.safety.skipFinalSnapshot ? undefined : `platform-${stack}-final`);
        expect(cluster.protect).to.equal(x.safety.protect);
        // The key the snapshots are encrypted with is protected with the cluster.
        expect(r(T.kms, `${stack}-db-key`).protect).to.equal(x.safety.protect);
      });

      it(`runs ${x.instances} instance(s) of ${x.instanceClass}, one per AZ, private, patched, the first one the writer`, () => {
        const instances = ofType(ev, T.rdsInstance).sort((a, b) => a.name.localeCompare(b.name));
        expect(instances.map((i) => i.name)).to.deep.equal(Array.from({ length: x.instances }, (_, i) => `${stack}-db-instance-${i + 1}`));
        expect(instances.map((i) => i.inputs.availabilityZone)).to.deep.equal(x.azs);
        expect(new Set(instances.map((i) => i.inputs.availabilityZone)).size).to.equal(x.instances);
        const cluster = r(T.rdsCluster, `${stack}-db-cluster`);
        const key = r(T.kms, `${stack}-db-key`);
        for (const [n, i] of instances.entries()) {
          expect(i.inputs).to.deep.include({
            clusterIdentifier: cluster.id,
            instanceClass: x.instanceClass,
            engine: "aurora-postgresql",
            publiclyAccessible: false,
            autoMinorVersionUpgrade: true,
            caCertIdentifier: "rds-ca-rsa2048-g1",
            performanceInsightsEnabled: x.performanceInsights,
            promotionTier: n === 0 ? 0 : 1,
            monitoringInterval: 0,
          });
          expect(i.inputs.performanceInsightsKmsKeyId).to.equal(x.performanceInsights ? key.outputs.arn : undefined);
          if (n > 0) expect(i.dependencies).to.include(instances[0].urn);
        }
      });

      it("keeps it in the isolated subnets through its own subnet group", () => {
        expect(input<string[]>(r(T.subnetGroup, `${stack}-db-subnets`), "subnetIds")).to.deep.equal(ev.outputs.isolatedSubnetIds);
      });

      it("requires TLS and logs DDL and slow queries through a cluster parameter group of the engine's family", () => {
        const group = r(T.paramGroup, `${stack}-db-params`);
        expect(group.inputs.family).to.equal("aurora-postgresql16");
        expect(group.inputs.parameters).to.deep.include({ name: "rds.force_ssl", value: "1", applyMethod: "immediate" });
      });

      it("pre-creates the exported log group with retention, encrypted with the cluster's rotating key", () => {
        const group = r(T.logGroup, `${stack}-db-log-postgresql`);
        const key = r(T.kms, `${stack}-db-key`);
        expect(group.inputs).to.deep.include({ name: `/aws/rds/cluster/platform-${stack}/postgresql`, retentionInDays: x.logRetention, kmsKeyId: key.outputs.arn });
        expect(r(T.rdsCluster, `${stack}-db-cluster`).dependencies).to.include(group.urn);
        expect(key.inputs).to.deep.include({ enableKeyRotation: true, rotationPeriodInDays: 365, deletionWindowInDays: 30, customerMasterKeySpec: "SYMMETRIC_DEFAULT" });
        const policy = JSON.parse(input<string>(key, "policy")) as PolicyDocument;
        expect(policy.Statement[1].Condition).to.deep.equal({
          ArnLike: { "kms:EncryptionContext:aws:logs:arn": [`arn:aws:logs:ap-northeast-2:${MOCK_ACCOUNT_ID}:log-group:/aws/rds/cluster/platform-${stack}/*`] },
        });
      });

      it("has a security group without egress, admitting 5432 only by group reference: the bootstrap task, the bastion and the service (X1)", () => {
        const sg = r(T.sg, `${stack}-db-sg`);
        expect(ofType(ev, T.egress).filter((e) => e.inputs.securityGroupId === sg.id)).to.deep.equal([]);
        const ingress = ofType(ev, T.ingress).filter((i) => i.inputs.securityGroupId === sg.id);
        expect(ingress.map((i) => i.name).sort()).to.deep.equal([`${stack}-db-bootstrap-db-in`, `${stack}-db-from-management-bastion`, `${stack}-svc-hello-db-in`]);
        expect(r(T.ingress, `${stack}-db-bootstrap-db-in`).inputs.referencedSecurityGroupId).to.equal(r(T.sg, `${stack}-db-bootstrap-sg`).id);
        for (const i of ingress) {
          expect(i.inputs).to.include({ ipProtocol: "tcp", fromPort: 5432, toPort: 5432 });
          expect(i.inputs).to.not.have.any.keys("cidrIpv4", "cidrIpv6", "prefixListId");
        }
        expect(r(T.ingress, `${stack}-db-from-management-bastion`).inputs.referencedSecurityGroupId).to.equal(ev.outputs.managementBastionSecurityGroupId);
      });

      it(x.readerAutoscaling ? "lets Application Auto Scaling add readers on CPU" : "has no reader autoscaling", () => {
        const targets = ofType(ev, T.scalingTarget).filter((t) => t.inputs.serviceNamespace === "rds");
        if (!x.readerAutoscaling) {
          expect(targets).to.have.length(0);
          return;
        }
        expect(targets.map((t) => t.inputs)).to.deep.equal([
          {
            serviceNamespace: "rds",
            scalableDimension: "rds:cluster:ReadReplicaCount",
            resourceId: `cluster:platform-${stack}`,
            minCapacity: x.readerAutoscaling.min,
            maxCapacity: x.readerAutoscaling.max,
            tags: { Name: `${stack}-db-readers` },
          },
        ]);
        const [policy] = ofType(ev, T.scalingPolicy).filter((p) => p.inputs.serviceNamespace === "rds");
        expect(policy.inputs.targetTrackingScalingPolicyConfiguration).to.deep.equal({
          predefinedMetricSpecification: { predefinedMetricType: "RDSReaderAverageCPUUtilization" },
          targetValue: 70,
          scaleInCooldown: 300,
          scaleOutCooldown: 300,
        });
      });
    });
  }
});
