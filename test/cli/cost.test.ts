import { expect } from "chai";
import fc from "fast-check";
import * as fs from "fs";
import * as path from "path";
import {
  CostReport,
  DeploymentResource,
  estimate,
  FREE_TYPES,
  parseTaskSize,
  parseUsageFile,
  shippedPriceTable,
  splitTasks,
  USAGE_KEYS,
  UsageFile,
} from "../../cli/cost";
import { doc, res, urnOf } from "../fixtures/cost/build";

const prices = shippedPriceTable();

/** A usage file that sets every key to 0, so single-resource figures are the fixed part only. */
const ZERO: UsageFile = parseUsageFile(
  `
resource_type_default_usage:
  "aws:ec2/natGateway:NatGateway": { monthly_data_processed_gb: 0 }
  "aws:lb/loadBalancer:LoadBalancer": { average_lcu: 0 }
  "aws:ec2/vpcEndpoint:VpcEndpoint": { monthly_data_processed_gb: 0 }
  "aws:rds/cluster:Cluster": { storage_gb: 0, monthly_io_requests_millions: 0, backup_storage_gb: 0 }
  "aws:cloudwatch/logGroup:LogGroup": { monthly_data_ingested_gb: 0, storage_gb: 0 }
`,
  "zero.yml",
);

function run(
  region: string,
  resources: DeploymentResource[],
  usage: UsageFile[] = [ZERO],
): CostReport {
  return estimate(doc(...resources), { region, prices, usage, stack: "test" });
}

function only(report: CostReport, type: string) {
  const found = report.resources.filter((r) => r.type === type);
  expect(found, `resources of ${type}`).to.have.length(1);
  return found[0];
}

describe("cost estimate: single resources match the price table exactly", () => {
  it("with one NAT gateway and no traffic in us-east-1, costs 730 h × $0.045 = $32.85", () => {
    const r = run("us-east-1", [
      res("aws:ec2/natGateway:NatGateway", "nat-1", { subnetId: "subnet-1" }),
    ]);
    const nat = only(r, "aws:ec2/natGateway:NatGateway");
    expect(nat.lines[0]).to.deep.include({
      description: "NAT gateway",
      quantity: 730,
      unit: "hours",
      unitPrice: 0.045,
      monthly: 32.85,
    });
    expect(nat.lines[1]).to.deep.include({
      description: "Data processed",
      quantity: 0,
      unit: "GB",
      unitPrice: 0.045,
      monthly: 0,
    });
    expect(nat.monthly).to.equal(32.85);
    expect(r.monthlyTotal).to.equal(32.85);
  });

  it("with one NAT gateway in ap-northeast-2 and 100 GB processed, costs $43.07 + $5.90", () => {
    const usage = parseUsageFile(
      `resource_usage: { nat-1: { monthly_data_processed_gb: 100 } }`,
      "u.yml",
    );
    const r = run("ap-northeast-2", [res("aws:ec2/natGateway:NatGateway", "nat-1")], [ZERO, usage]);
    const nat = only(r, "aws:ec2/natGateway:NatGateway");
    expect(nat.lines.map((l) => l.monthly)).to.deep.equal([43.07, 5.9]);
    expect(nat.lines[1]).to.deep.include({
      usageKey: "monthly_data_processed_gb",
      usageSource: "u.yml",
    });
    expect(r.monthlyTotal).to.equal(48.97);
  });

  it("with one EIP, costs one public IPv4 address: 730 h × $0.005 = $3.65", () => {
    const r = run("us-east-1", [res("aws:ec2/eip:Eip", "nat-eip-1", { domain: "vpc" })]);
    expect(only(r, "aws:ec2/eip:Eip").lines).to.deep.equal([
      {
        description: "Public IPv4 address",
        quantity: 730,
        unit: "hours",
        unitPrice: 0.005,
        monthly: 3.65,
        priceKey: "public-ipv4-hour",
      },
    ]);
  });

  it("with one internal ALB without traffic in us-east-1, costs 730 h × $0.0225 = $16.425", () => {
    const r = run("us-east-1", [
      res("aws:lb/loadBalancer:LoadBalancer", "alb", {
        loadBalancerType: "application",
        internal: true,
        subnets: ["a", "b"],
      }),
    ]);
    const alb = only(r, "aws:lb/loadBalancer:LoadBalancer");
    expect(alb.lines.map((l) => [l.description, l.quantity, l.unitPrice, l.monthly])).to.deep.equal(
      [
        ["Application load balancer", 730, 0.0225, 16.425],
        ["Load balancer capacity units", 0, 0.008, 0],
      ],
    );
    expect(alb.monthly).to.equal(16.425);
  });

  it("with an internet-facing ALB in 2 AZs and 1 LCU on average, adds 730 LCU-hours and 2 public IPv4 addresses", () => {
    const usage = parseUsageFile(`resource_usage: { alb: { average_lcu: 1 } }`, "u.yml");
    const r = run(
      "us-east-1",
      [res("aws:lb/loadBalancer:LoadBalancer", "alb", { subnets: ["a", "b"] })],
      [ZERO, usage],
    );
    const alb = only(r, "aws:lb/loadBalancer:LoadBalancer");
    expect(alb.lines.map((l) => [l.description, l.quantity, l.unit, l.monthly])).to.deep.equal([
      ["Application load balancer", 730, "hours", 16.425],
      ["Load balancer capacity units", 730, "LCU-hours", 5.84],
      ["Public IPv4 addresses (2 AZs)", 1460, "hours", 7.3],
    ]);
    expect(alb.monthly).to.equal(29.565);
  });

  const fargate = (
    arch: string,
    strategy: Record<string, unknown>[] | undefined,
    desiredCount = 1,
  ) => {
    const td = res(
      "aws:ecs/taskDefinition:TaskDefinition",
      "app-task",
      {
        family: "app",
        cpu: "1024",
        memory: "2048",
        requiresCompatibilities: ["FARGATE"],
        runtimePlatform: { cpuArchitecture: arch, operatingSystemFamily: "LINUX" },
      },
      { outputs: { arn: "arn:aws:ecs:us-east-1:123456789012:task-definition/app:1" } },
    );
    const svc = res("aws:ecs/service:Service", "app", {
      taskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/app:1",
      desiredCount,
      ...(strategy ? { capacityProviderStrategies: strategy } : { launchType: "FARGATE" }),
    });
    return [td, svc];
  };

  it("with one 1 vCPU / 2 GB x86 Fargate task in us-east-1, costs 730 vCPU-h × $0.04048 + 1460 GB-h × $0.004445", () => {
    const r = run("us-east-1", fargate("X86_64", undefined));
    const svc = only(r, "aws:ecs/service:Service");
    expect(
      svc.lines.map((l) => [l.description, l.quantity, l.unit, l.unitPrice, l.monthly]),
    ).to.deep.equal([
      ["Fargate vCPU (1 task × 1 vCPU, 2 GB, x86_64)", 730, "vCPU-hours", 0.04048, 29.5504],
      ["Fargate memory (1 task × 1 vCPU, 2 GB, x86_64)", 1460, "GB-hours", 0.004445, 6.4897],
    ]);
    expect(svc.monthly).to.equal(36.0401);
  });

  it("with a task definition no service runs (the one-off database bootstrap), bills no Fargate time at all", () => {
    const [td] = fargate("ARM64", undefined);
    const r = run("ap-northeast-2", [td]);
    expect(r.resources.filter((x) => x.lines.length > 0)).to.deep.equal([]);
    expect(r.monthlyTotal).to.equal(0);
    expect(FREE_TYPES).to.include("aws:ecs/taskDefinition:TaskDefinition");
  });

  it("with one 1 vCPU / 2 GB ARM64 Fargate task in ap-northeast-2, uses the ARM rates", () => {
    const r = run("ap-northeast-2", fargate("ARM64", undefined));
    const svc = only(r, "aws:ecs/service:Service");
    expect(svc.lines.map((l) => [l.unitPrice, l.monthly])).to.deep.equal([
      [0.03725, 27.1925],
      [0.00409, 5.9714],
    ]);
    expect(svc.monthly).to.equal(33.1639);
  });

  it("with FARGATE_SPOT, applies the table's 70 % Spot discount and says so", () => {
    const r = run(
      "us-east-1",
      fargate("X86_64", [{ capacityProvider: "FARGATE_SPOT", weight: 1 }]),
    );
    const svc = only(r, "aws:ecs/service:Service");
    expect(svc.lines.map((l) => [l.description, l.unitPrice, l.monthly])).to.deep.equal([
      ["Fargate Spot vCPU (1 task × 1 vCPU, 2 GB, x86_64)", 0.012144, 8.86512],
      ["Fargate Spot memory (1 task × 1 vCPU, 2 GB, x86_64)", 0.0013335, 1.94691],
    ]);
    expect(svc.lines[0].note).to.equal("Spot discount 70% assumed (fargate-spot-discount)");
  });

  it("with FARGATE_SPOT and an ARM64 task, applies the Spot discount to the ARM64 rates and notes platform 1.4.0", () => {
    const r = run("us-east-1", fargate("ARM64", [{ capacityProvider: "FARGATE_SPOT", weight: 1 }]));
    const svc = only(r, "aws:ecs/service:Service");
    expect(svc.lines.map((l) => [l.description, l.quantity])).to.deep.equal([
      ["Fargate Spot vCPU (1 task × 1 vCPU, 2 GB, ARM64)", 730],
      ["Fargate Spot memory (1 task × 1 vCPU, 2 GB, ARM64)", 1460],
    ]);
    expect(svc.lines[0].unitPrice).to.be.closeTo(0.03238 * 0.3, 1e-12);
    expect(svc.lines[1].unitPrice).to.be.closeTo(0.00356 * 0.3, 1e-12);
    expect(svc.notes).to.include("ARM64 on FARGATE_SPOT needs platform version 1.4.0 or later (LATEST is)");
  });

  it("with a FARGATE base of 1 and 1:1 weights over 2 ARM64 tasks, splits 1.5 on-demand + 0.5 Spot", () => {
    const r = run(
      "us-east-1",
      fargate(
        "ARM64",
        [
          { capacityProvider: "FARGATE", base: 1, weight: 1 },
          { capacityProvider: "FARGATE_SPOT", weight: 1 },
        ],
        2,
      ),
    );
    const svc = only(r, "aws:ecs/service:Service");
    expect(svc.lines.map((l) => [l.description, l.quantity])).to.deep.equal([
      ["Fargate vCPU (1.5 tasks × 1 vCPU, 2 GB, ARM64)", 1095],
      ["Fargate memory (1.5 tasks × 1 vCPU, 2 GB, ARM64)", 2190],
      ["Fargate Spot vCPU (0.5 tasks × 1 vCPU, 2 GB, ARM64)", 365],
      ["Fargate Spot memory (0.5 tasks × 1 vCPU, 2 GB, ARM64)", 730],
    ]);
  });

  it("with a FARGATE base of 1 and FARGATE_SPOT weight 3 over 5 tasks, splits 1 + (1 + 3 spot)", () => {
    const r = run(
      "us-east-1",
      fargate(
        "X86_64",
        [
          { capacityProvider: "FARGATE", base: 1, weight: 1 },
          { capacityProvider: "FARGATE_SPOT", weight: 3 },
        ],
        5,
      ),
    );
    const svc = only(r, "aws:ecs/service:Service");
    expect(svc.lines.map((l) => [l.description, l.quantity])).to.deep.equal([
      ["Fargate vCPU (2 tasks × 1 vCPU, 2 GB, x86_64)", 1460],
      ["Fargate memory (2 tasks × 1 vCPU, 2 GB, x86_64)", 2920],
      ["Fargate Spot vCPU (3 tasks × 1 vCPU, 2 GB, x86_64)", 2190],
      ["Fargate Spot memory (3 tasks × 1 vCPU, 2 GB, x86_64)", 4380],
    ]);
  });

  it("with one db.r6g.large Aurora instance in us-east-1, costs 730 h × $0.26 = $189.80", () => {
    const cluster = res("aws:rds/cluster:Cluster", "db", {
      engine: "aurora-postgresql",
      clusterIdentifier: "db-cluster",
    });
    const inst = res("aws:rds/clusterInstance:ClusterInstance", "db-1", {
      clusterIdentifier: "db-cluster",
      instanceClass: "db.r6g.large",
      engine: "aurora-postgresql",
    });
    const r = run("us-east-1", [cluster, inst]);
    expect(only(r, "aws:rds/clusterInstance:ClusterInstance").lines).to.deep.equal([
      {
        description: "Database instance (db.r6g.large)",
        quantity: 730,
        unit: "hours",
        unitPrice: 0.26,
        monthly: 189.8,
        priceKey: "aurora-instance-hour:db.r6g.large",
      },
    ]);
  });

  it("with I/O-Optimized storage and no explicit I/O-Optimized price, multiplies the instance rate by 1.3", () => {
    const cluster = res("aws:rds/cluster:Cluster", "db", {
      engine: "aurora-postgresql",
      storageType: "aurora-iopt1",
    });
    const inst = res(
      "aws:rds/clusterInstance:ClusterInstance",
      "db-1",
      { instanceClass: "db.r6g.large" },
      {
        propertyDependencies: { clusterIdentifier: [urnOf("aws:rds/cluster:Cluster", "db")] },
      },
    );
    const r = run("us-east-1", [cluster, inst]);
    const line = only(r, "aws:rds/clusterInstance:ClusterInstance").lines[0];
    expect([line.description, line.unitPrice, line.monthly]).to.deep.equal([
      "Database instance (db.r6g.large, I/O-Optimized)",
      0.338,
      246.74,
    ]);
    // and the cluster has no I/O line, only I/O-Optimized storage and backup
    expect(only(r, "aws:rds/cluster:Cluster").lines.map((l) => l.priceKey)).to.deep.equal([
      "aurora-storage-gb-month-iopt",
      "aurora-backup-gb-month",
    ]);
  });

  it("with Serverless v2 that can pause (min 0), bills average ACU × active hours only", () => {
    const cluster = res("aws:rds/cluster:Cluster", "db", {
      engine: "aurora-postgresql",
      manageMasterUserPassword: true,
      serverlessv2ScalingConfiguration: {
        minCapacity: 0,
        maxCapacity: 4,
        secondsUntilAutoPause: 600,
      },
    });
    const inst = res(
      "aws:rds/clusterInstance:ClusterInstance",
      "db-1",
      { instanceClass: "db.serverless" },
      { dependencies: [urnOf("aws:rds/cluster:Cluster", "db")] },
    );
    const usage = parseUsageFile(
      `resource_usage: { db-1: { average_acu: 0.5, monthly_active_hours: 100 } }`,
      "u.yml",
    );
    const r = run("ap-northeast-2", [cluster, inst], [ZERO, usage]);
    const acu = only(r, "aws:rds/clusterInstance:ClusterInstance");
    expect(
      acu.lines.map((l) => [l.description, l.quantity, l.unit, l.unitPrice, l.monthly]),
    ).to.deep.equal([
      ["Serverless v2 capacity while resumed (0.5 ACU × 100 h)", 50, "ACU-hours", 0.2, 10],
    ]);
    expect(acu.notes).to.include("minCapacity 0: pauses after 600 s idle, paused hours not billed");
    // the managed master password is one Secrets Manager secret on the cluster
    const secretLine = only(r, "aws:rds/cluster:Cluster").lines.find(
      (l) => l.priceKey === "secret-month",
    );
    expect(secretLine).to.deep.include({ quantity: 1, unitPrice: 0.4, monthly: 0.4 });
  });

  it("with Serverless v2 min 0.5 and unknown average, bills the floor and marks the rest usage unknown", () => {
    const cluster = res("aws:rds/cluster:Cluster", "db", {
      engine: "aurora-mysql",
      serverlessv2ScalingConfiguration: { minCapacity: 0.5, maxCapacity: 8 },
    });
    const inst = res(
      "aws:rds/clusterInstance:ClusterInstance",
      "db-1",
      { instanceClass: "db.serverless" },
      { dependencies: [urnOf("aws:rds/cluster:Cluster", "db")] },
    );
    const r = run("us-east-1", [cluster, inst]);
    const lines = only(r, "aws:rds/clusterInstance:ClusterInstance").lines;
    expect(lines[0]).to.deep.include({
      description: "Serverless v2 minimum capacity (0.5 ACU × 730 h)",
      quantity: 365,
      unitPrice: 0.12,
      monthly: 43.8,
    });
    expect(lines[1]).to.deep.include({
      description: "Serverless v2 capacity above minimum",
      quantity: 0,
      monthly: 0,
      usageKnown: false,
      usageKey: "average_acu",
    });
    expect(r.summary.usageUnknownLines).to.equal(1);
  });

  it("with one interface endpoint in 3 AZs in ap-northeast-2, bills 3 × 730 h × $0.013; a Gateway endpoint is free", () => {
    const r = run("ap-northeast-2", [
      res("aws:ec2/vpcEndpoint:VpcEndpoint", "ecr-api", {
        vpcEndpointType: "Interface",
        serviceName: "com.amazonaws.ap-northeast-2.ecr.api",
        subnetIds: ["a", "b", "c"],
      }),
      res("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", {
        vpcEndpointType: "Gateway",
        serviceName: "com.amazonaws.ap-northeast-2.s3",
      }),
    ]);
    const ep = only(r, "aws:ec2/vpcEndpoint:VpcEndpoint");
    expect(ep.name).to.equal("ecr-api");
    expect(ep.lines[0]).to.deep.include({
      description: "Interface endpoint com.amazonaws.ap-northeast-2.ecr.api (3 AZs)",
      quantity: 2190,
      monthly: 28.47,
    });
    expect(r.summary.free).to.equal(1);
  });

  it("with a NAT instance (t4g.nano, 8 GB gp3, public IP) in ap-northeast-2, bills instance, volume and IPv4", () => {
    const r = run("ap-northeast-2", [
      res("aws:ec2/instance:Instance", "nat-instance", {
        instanceType: "t4g.nano",
        associatePublicIpAddress: true,
        sourceDestCheck: false,
        rootBlockDevice: { volumeSize: 8, volumeType: "gp3" },
      }),
    ]);
    const i = only(r, "aws:ec2/instance:Instance");
    expect(i.lines.map((l) => [l.description, l.quantity, l.unitPrice, l.monthly])).to.deep.equal([
      ["Instance usage (Linux, on-demand, t4g.nano)", 730, 0.0052, 3.796],
      ["Root volume (gp3)", 8, 0.0912, 0.7296],
      ["Public IPv4 address", 730, 0.005, 3.65],
    ]);
    expect(i.monthly).to.equal(8.1756);
    expect(i.notes).to.deep.equal([
      "NAT instance (sourceDestCheck off): no per-GB processing charge, unlike a NAT gateway",
    ]);
  });

  it("with an instance whose public IP is an EIP, bills the address once, on the EIP", () => {
    const r = run("us-east-1", [
      res("aws:ec2/instance:Instance", "nat-instance", {
        instanceType: "t4g.nano",
        associatePublicIpAddress: true,
        rootBlockDevice: { volumeSize: 8 },
      }),
      res("aws:ec2/eip:Eip", "nat-eip", { instance: "nat-instance-id" }),
    ]);
    expect(only(r, "aws:ec2/instance:Instance").lines.map((l) => l.priceKey)).to.deep.equal([
      "ec2-instance-hour:t4g.nano",
      "ebs-gb-month:gp3",
    ]);
    expect(only(r, "aws:ec2/eip:Eip").monthly).to.equal(3.65);
  });

  it("with a bastion Auto Scaling group (desired 1) on a t4g.nano launch template with 8 GB gp3, bills one instance and volume", () => {
    const lt = res(
      "aws:ec2/launchTemplate:LaunchTemplate",
      "bastion",
      {
        instanceType: "t4g.nano",
        blockDeviceMappings: [
          { deviceName: "/dev/xvda", ebs: { volumeSize: 8, volumeType: "gp3", encrypted: "true" } },
        ],
      },
      { outputs: { id: "lt-0123" } },
    );
    const asg = res("aws:autoscaling/group:Group", "bastion", {
      desiredCapacity: 1,
      minSize: 1,
      maxSize: 1,
      launchTemplate: { id: "lt-0123", version: "$Latest" },
    });
    const r = run("us-east-1", [lt, asg]);
    const g = only(r, "aws:autoscaling/group:Group");
    expect(g.lines.map((l) => [l.description, l.quantity, l.monthly])).to.deep.equal([
      ["Instance usage (Linux, on-demand, t4g.nano)", 730, 3.066],
      ["Volume /dev/xvda (gp3)", 8, 0.64],
    ]);
    expect(g.notes).to.deep.equal([
      "1 instance(s): desiredCapacity",
      "instance type and volumes from launch template bastion",
    ]);
    expect(r.summary.free).to.equal(1); // the launch template itself
  });

  it("with a log group, a KMS key and a secret in us-east-1, bills $0.50/GB ingested, $1 and $0.40", () => {
    const usage = parseUsageFile(
      `resource_usage: { app-logs: { monthly_data_ingested_gb: 10, storage_gb: 20 } }`,
      "u.yml",
    );
    const r = run(
      "us-east-1",
      [
        res("aws:cloudwatch/logGroup:LogGroup", "app-logs", { retentionInDays: 30 }),
        res("aws:kms/key:Key", "key", {}),
        res("aws:secretsmanager/secret:Secret", "app-secret", {}),
      ],
      [ZERO, usage],
    );
    expect(only(r, "aws:cloudwatch/logGroup:LogGroup").lines.map((l) => l.monthly)).to.deep.equal([
      5, 0.6,
    ]);
    expect(only(r, "aws:kms/key:Key").monthly).to.equal(1);
    expect(only(r, "aws:secretsmanager/secret:Secret").monthly).to.equal(0.4);
    expect(r.monthlyTotal).to.equal(7);
  });
});

describe("cost estimate: rules for what the app and database tiers add", () => {
  it("with an S3 bucket of 10 GB in ap-northeast-2, bills 10 × $0.025 of S3 Standard storage", () => {
    const usage = parseUsageFile(`resource_usage: { alb-logs: { storage_gb: 10 } }`, "u.yml");
    const r = run("ap-northeast-2", [res("aws:s3/bucket:Bucket", "alb-logs", {})], [usage]);
    expect(only(r, "aws:s3/bucket:Bucket").lines[0]).to.deep.include({
      description: "Storage (S3 Standard)",
      quantity: 10,
      unitPrice: 0.025,
      monthly: 0.25,
    });
  });

  it("with Container Insights on, gives the ECS cluster a price-unknown line; off, the cluster is free", () => {
    const on = run("us-east-1", [
      res("aws:ecs/cluster:Cluster", "c", {
        settings: [{ name: "containerInsights", value: "enhanced" }],
      }),
    ]);
    expect(only(on, "aws:ecs/cluster:Cluster").lines[0]).to.deep.include({
      description: "Container Insights (enhanced): metrics and performance logs",
      priceKnown: false,
      monthly: 0,
    });
    const off = run("us-east-1", [
      res("aws:ecs/cluster:Cluster", "c", {
        settings: [{ name: "containerInsights", value: "disabled" }],
      }),
    ]);
    expect([off.resources.length, off.summary.free]).to.deep.equal([0, 1]);
  });

  it("with Performance Insights kept 31 days, adds a price-unknown retention line to the instance", () => {
    const r = run("us-east-1", [
      res("aws:rds/cluster:Cluster", "db", {
        engine: "aurora-postgresql",
        clusterIdentifier: "db",
      }),
      res("aws:rds/clusterInstance:ClusterInstance", "db-1", {
        clusterIdentifier: "db",
        instanceClass: "db.r6g.large",
        performanceInsightsEnabled: true,
        performanceInsightsRetentionPeriod: 31,
      }),
    ]);
    const lines = only(r, "aws:rds/clusterInstance:ClusterInstance").lines;
    expect(lines.map((l) => [l.description, l.monthly, l.priceKnown])).to.deep.equal([
      ["Database instance (db.r6g.large)", 189.8, undefined],
      ["Performance Insights retention (31 days, beyond the free 7)", 0, false],
    ]);
  });

  it("with reader auto scaling on the cluster, prices the declared instances and says extra replicas are not priced", () => {
    const r = run("us-east-1", [
      res("aws:rds/cluster:Cluster", "db", {
        engine: "aurora-postgresql",
        clusterIdentifier: "db",
      }),
      res("aws:appautoscaling/target:Target", "db-readers", {
        serviceNamespace: "rds",
        resourceId: "cluster:db",
        scalableDimension: "rds:cluster:ReadReplicaCount",
        minCapacity: 1,
        maxCapacity: 3,
      }),
    ]);
    expect(only(r, "aws:rds/cluster:Cluster").notes).to.include(
      "reader auto scaling 1-3 replicas: replicas added under load are not priced",
    );
  });

  it("names only type tokens that exist in @pulumi/aws", () => {
    const bad = [...FREE_TYPES, ...Object.keys(USAGE_KEYS)].filter((t) => {
      if (!t.startsWith("aws:")) return false;
      const [mod, file] = t.split(":")[1].split("/");
      const js = path.join(
        __dirname,
        "..",
        "..",
        "node_modules",
        "@pulumi",
        "aws",
        mod,
        `${file}.js`,
      );
      return !fs.existsSync(js) || !fs.readFileSync(js, "utf8").includes(`__pulumiType = '${t}'`);
    });
    expect(bad).to.deep.equal([]);
  });
});

describe("cost estimate: unknown usage and prices are never silently zero", () => {
  it("with no usage value for NAT data, marks the line usageKnown false and counts only the hours", () => {
    const r = estimate(doc(res("aws:ec2/natGateway:NatGateway", "nat-1")), {
      region: "us-east-1",
      prices,
      usage: [],
    });
    const line = r.resources[0].lines[1];
    expect(line).to.deep.include({
      description: "Data processed",
      quantity: 0,
      unitPrice: 0.045,
      monthly: 0,
      usageKnown: false,
      usageKey: "monthly_data_processed_gb",
    });
    expect(line.note).to.equal(
      "usage unknown: set monthly_data_processed_gb for aws:ec2/natGateway:NatGateway in a usage file",
    );
    expect(r.monthlyTotal).to.equal(32.85);
    expect(r.summary.usageUnknownLines).to.equal(1);
  });

  it("with an explicit ~ in a later file, overrides a default value back to unknown", () => {
    const defaults = parseUsageFile(
      `resource_type_default_usage: { "aws:ec2/natGateway:NatGateway": { monthly_data_processed_gb: 10 } }`,
      "d.yml",
    );
    const unknown = parseUsageFile(
      `resource_usage: { "nat-*": { monthly_data_processed_gb: ~ } }`,
      "u.yml",
    );
    const r = estimate(doc(res("aws:ec2/natGateway:NatGateway", "nat-1")), {
      region: "us-east-1",
      prices,
      usage: [defaults, unknown],
    });
    expect(r.resources[0].lines[1]).to.deep.include({ usageKnown: false, usageSource: "u.yml" });
  });

  it("with an instance class the table lacks for the region (db.t3.medium in Seoul), marks priceKnown false", () => {
    const r = run("ap-northeast-2", [
      res("aws:rds/cluster:Cluster", "db", { engine: "aurora-mysql", clusterIdentifier: "db" }),
      res("aws:rds/clusterInstance:ClusterInstance", "db-1", {
        clusterIdentifier: "db",
        instanceClass: "db.t3.medium",
      }),
    ]);
    const line = only(r, "aws:rds/clusterInstance:ClusterInstance").lines[0];
    expect(line).to.deep.include({
      priceKnown: false,
      unitPrice: 0,
      monthly: 0,
      priceKey: "aurora-instance-hour:db.t3.medium",
    });
    expect(r.summary.priceUnknownLines).to.equal(1);
  });

  it("fails on a region the price table does not have, naming the regions it has", () => {
    expect(() => run("eu-west-1", [])).to.throw(
      'No prices for region "eu-west-1" in the price table (it has: ap-northeast-2, us-east-1).',
    );
  });
});

describe("cost estimate: accounting", () => {
  it("counts free types as free, unknown AWS types as unsupported, and ignores components and providers", () => {
    const r = run("us-east-1", [
      res("pulumi:pulumi:Stack", "platform-test", {}, { custom: false }),
      res("pulumi:providers:aws", "default", { region: "us-east-1" }),
      res("platform:network:Vpc", "main", {}, { custom: false }),
      res("aws:ec2/vpc:Vpc", "main", { cidrBlock: "10.0.0.0/16" }),
      res("aws:ec2/subnet:Subnet", "main-public-1", {}),
      res("aws:iam/role:Role", "task-role", {}),
      res("random:index/randomPassword:RandomPassword", "pw", {}),
      res("aws:route53/zone:Zone", "zone", {}),
    ]);
    expect(r.summary).to.deep.equal({
      estimated: 0,
      free: 4,
      unsupported: 1,
      usageUnknownLines: 0,
      priceUnknownLines: 0,
    });
    expect(r.skipped).to.deep.equal([
      {
        urn: urnOf("aws:route53/zone:Zone", "zone"),
        type: "aws:route53/zone:Zone",
        reason: "no pricing rule for this type",
      },
    ]);
  });

  it("prices a childless awsx ECR repository by usage and skips a childless awsx VPC as unpriceable", () => {
    const usage = parseUsageFile(
      `resource_type_default_usage: { "awsx:ecr:Repository": { storage_gb: 5 } }`,
      "u.yml",
    );
    const r = run(
      "us-east-1",
      [
        res("awsx:ecr:Repository", "app-repo", {}, { custom: false }),
        res("awsx:ecr:Image", "app-image", {}, { custom: false }),
        res("awsx:ec2:Vpc", "vpc", {}, { custom: false }),
      ],
      [usage],
    );
    expect(r.resources.map((x) => [x.name, x.monthly])).to.deep.equal([["app-repo", 0.5]]);
    expect(r.skipped.map((s) => s.type)).to.deep.equal(["awsx:ec2:Vpc"]);
  });

  it("reads a value Pulumi marked secret (plaintext in the document) like a plain one", () => {
    const secret = (v: unknown) => ({
      "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
      plaintext: JSON.stringify(v),
    });
    const r = run("us-east-1", [
      res("aws:ec2/instance:Instance", "i", {
        instanceType: secret("t4g.nano"),
        rootBlockDevice: secret({ volumeSize: 10 }),
      }),
    ]);
    expect(
      only(r, "aws:ec2/instance:Instance").lines.map((l) => [l.priceKey, l.quantity]),
    ).to.deep.equal([
      ["ec2-instance-hour:t4g.nano", 730],
      ["ebs-gb-month:gp3", 10],
    ]);
  });

  it("ignores resources pending deletion", () => {
    const r = run("us-east-1", [res("aws:ec2/natGateway:NatGateway", "old", {}, { delete: true })]);
    expect(r.resources).to.deep.equal([]);
  });

  it("with an autoscaled service, uses the scaling target's minCapacity and says so", () => {
    const td = res("aws:ecs/taskDefinition:TaskDefinition", "app", { cpu: "512", memory: "1024" });
    const cluster = res("aws:ecs/cluster:Cluster", "main", { name: "main" });
    const svc = res(
      "aws:ecs/service:Service",
      "app",
      { name: "app", desiredCount: 1, launchType: "FARGATE", cluster: "main-id" },
      {
        propertyDependencies: {
          taskDefinition: [urnOf("aws:ecs/taskDefinition:TaskDefinition", "app")],
        },
      },
    );
    const target = res("aws:appautoscaling/target:Target", "app-scaling", {
      serviceNamespace: "ecs",
      resourceId: "service/main/app",
      scalableDimension: "ecs:service:DesiredCount",
      minCapacity: 2,
      maxCapacity: 6,
    });
    const r = run("us-east-1", [td, cluster, svc, target]);
    const s = only(r, "aws:ecs/service:Service");
    expect(s.lines[0].description).to.equal("Fargate vCPU (2 tasks × 0.5 vCPU, 1 GB, x86_64)");
    expect(s.notes?.[0]).to.equal(
      "2 task(s): minCapacity of autoscaling target app-scaling (desiredCount is managed by the scaler)",
    );
  });

  it("is deterministic and its total is the sum of its counting lines", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ gb: fc.integer({ min: 0, max: 10_000 }), n: fc.integer({ min: 1, max: 4 }) }),
          { maxLength: 6 },
        ),
        (specs) => {
          const resources = specs.map((_s, i) => res("aws:ec2/natGateway:NatGateway", `nat-${i}`));
          const usage = parseUsageFile(
            `resource_usage:\n${specs.map((s, i) => `  nat-${i}: { monthly_data_processed_gb: ${s.gb} }`).join("\n") || "  {}"}`,
            "u.yml",
          );
          const a = estimate(doc(...resources), {
            region: "ap-northeast-2",
            prices,
            usage: [usage],
          });
          const b = estimate(doc(...resources), {
            region: "ap-northeast-2",
            prices,
            usage: [usage],
          });
          expect(a).to.deep.equal(b);
          const sum = a.resources.reduce(
            (acc, r) => acc + r.lines.reduce((x, l) => x + l.monthly, 0),
            0,
          );
          expect(a.monthlyTotal).to.be.closeTo(sum, 1e-6);
          expect(a.monthlyTotal).to.be.closeTo(
            specs.reduce((acc, s) => acc + 43.07 + s.gb * 0.059, 0),
            1e-6,
          );
        },
      ),
    );
  });
});

describe("cost estimate: pure helpers", () => {
  const sizes: Array<[unknown, unknown, { vcpu?: number; gb?: number }]> = [
    ["256", "512", { vcpu: 0.25, gb: 0.5 }],
    ["1024", "2048", { vcpu: 1, gb: 2 }],
    ["1 vCPU", "2 GB", { vcpu: 1, gb: 2 }],
    ["0.5 vcpu", "4GB", { vcpu: 0.5, gb: 4 }],
    [4096, 8192, { vcpu: 4, gb: 8 }],
    [undefined, "512", { vcpu: undefined, gb: 0.5 }],
  ];
  for (const [cpu, memory, want] of sizes) {
    it(`parses cpu ${JSON.stringify(cpu)} / memory ${JSON.stringify(memory)} as ${JSON.stringify(want)}`, () => {
      expect(parseTaskSize(cpu, memory)).to.deep.equal(want);
    });
  }

  it("splitTasks keeps every task (sum of the split equals the count)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50 }),
        fc.array(
          fc.record({
            weight: fc.integer({ min: 0, max: 5 }),
            base: fc.integer({ min: 0, max: 3 }),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        (tasks, specs) => {
          const strategies = specs.map((s, i) => ({
            provider: `P${i}`,
            weight: s.weight,
            base: i === 0 ? s.base : 0,
          }));
          const split = splitTasks(tasks, strategies);
          const total = [...split.values()].reduce((a, b) => a + b, 0);
          expect(total).to.be.closeTo(tasks, 1e-9);
        },
      ),
    );
  });
});
