import { Fixture, FixtureInputs, FixtureResource } from "../support/policy-harness";

/**
 * A compliant production-like environment, written from @pulumi/aws 7.x input shapes and the
 * platform's conventions (standalone routes and rules, Tier tags, provider default tags, peering
 * to the management VPC read through a StackReference). Every policy passes it; each test breaks
 * one field and asserts the exact violation.
 */

export const ENV_CIDR = "10.30.0.0/16";
export const MGMT_CIDR = "10.0.0.0/16";
export const AZS = ["ap-northeast-2a", "ap-northeast-2b"];
export const DB_PORT = 5433;
export const CONTAINER_PORT = 8080;
export const ACCOUNT = "123456789012";
/** The cluster's RDS-managed master secret, and the one database user the app's task role may log in as. */
export const MASTER_SECRET = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:rds!cluster-0f1e2d3c-4b5a-4697-8877-665544332211-AbC123";
export const DB_USER_ARN = "arn:aws:rds-db:ap-northeast-2:123456789012:dbuser:cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ/svc_app";

const trust = (service: string, condition = true) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        ...(condition ? { Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } } : {}),
      },
    ],
  });

export function containerDefinitions(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify([
    {
      name: "app",
      image: "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/app:1.0.0",
      essential: true,
      user: "1000:1000",
      readonlyRootFilesystem: true,
      portMappings: [{ containerPort: CONTAINER_PORT, protocol: "tcp" }],
      environment: [{ name: "LOG_LEVEL", value: "info" }],
      secrets: [{ name: "DB_PASSWORD", valueFrom: "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:db" }],
      logConfiguration: {
        logDriver: "awslogs",
        options: { "awslogs-group": "/platform/prod/app", "awslogs-region": "ap-northeast-2", "awslogs-stream-prefix": "app" },
      },
      ...overrides,
    },
  ]);
}

export function prodFixture(options: { preview?: boolean } = {}): Fixture {
  const f = new Fixture({ stack: "prod", preview: options.preview ?? false });
  f.addProvider("aws", {
    region: "ap-northeast-2",
    defaultTags: { tags: { Project: "platform", Environment: "prod", ManagedBy: "Pulumi" } },
  });
  const net = f.add("platform:network:Vpc", "prod", {}, { custom: false, provider: undefined });
  const p = { parent: net };
  f.add("pulumi:pulumi:StackReference", "organization/platform/shared", { name: "organization/platform/shared" }, {
    outputs: {
      outputs: {
        vpcId: "vpc-0mgmt0000000000000",
        vpcCidr: MGMT_CIDR,
        privateRouteTableIds: ["rtb-0mgmtprivate00001"],
        bastionSecurityGroupId: "sg-0mgmtbastion000001",
      },
      secretOutputNames: [],
    },
  });

  // --- network ---
  const kms = f.add("aws:kms/key:Key", "platform", {
    description: "Platform data key",
    enableKeyRotation: true,
    deletionWindowInDays: 30,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Sid: "Root", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
        {
          Sid: "Logs",
          Effect: "Allow",
          Principal: { Service: "logs.ap-northeast-2.amazonaws.com" },
          Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"],
          Resource: "*",
          Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:ap-northeast-2:${ACCOUNT}:*` } },
        },
      ],
    }),
  });
  const vpc = f.add("aws:ec2/vpc:Vpc", "prod-vpc", { cidrBlock: ENV_CIDR, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: "prod" } }, p);
  const tiers = { public: ["10.30.128.0/20", "10.30.144.0/20"], private: ["10.30.0.0/18", "10.30.64.0/18"], isolated: ["10.30.160.0/20", "10.30.176.0/20"] };
  const subnets: Record<string, FixtureResource[]> = {};
  for (const [tier, cidrs] of Object.entries(tiers)) {
    subnets[tier] = cidrs.map((cidr, i) =>
      f.add("aws:ec2/subnet:Subnet", `prod-${tier}-${i + 1}`, {
        vpcId: vpc.id,
        cidrBlock: cidr,
        availabilityZone: AZS[i],
        mapPublicIpOnLaunch: false,
        tags: { Name: `prod-${tier}-${i + 1}`, Tier: tier },
      }, p),
    );
  }
  const igw = f.add("aws:ec2/internetGateway:InternetGateway", "prod-igw", { vpcId: vpc.id, tags: { Name: "prod-igw" } }, p);
  const rt = (name: string, tier: string) => f.add("aws:ec2/routeTable:RouteTable", name, { vpcId: vpc.id, tags: { Name: name, Tier: tier } }, p);
  const publicRt = rt("prod-public-rt", "public");
  const privateRts = [rt("prod-private-rt-1", "private"), rt("prod-private-rt-2", "private")];
  const isolatedRt = rt("prod-isolated-rt", "isolated");
  f.add("aws:ec2/route:Route", "prod-public-default", { routeTableId: publicRt.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id }, p);
  subnets.public.forEach((s, i) => f.add("aws:ec2/routeTableAssociation:RouteTableAssociation", `prod-public-rta-${i + 1}`, { subnetId: s.id, routeTableId: publicRt.id }, p));
  subnets.private.forEach((s, i) => f.add("aws:ec2/routeTableAssociation:RouteTableAssociation", `prod-private-rta-${i + 1}`, { subnetId: s.id, routeTableId: privateRts[i].id }, p));
  subnets.isolated.forEach((s, i) => f.add("aws:ec2/routeTableAssociation:RouteTableAssociation", `prod-isolated-rta-${i + 1}`, { subnetId: s.id, routeTableId: isolatedRt.id }, p));
  subnets.public.forEach((s, i) => {
    const eip = f.add("aws:ec2/eip:Eip", `prod-nat-${i + 1}-eip`, { domain: "vpc" }, p);
    const nat = f.add("aws:ec2/natGateway:NatGateway", `prod-nat-${i + 1}`, { allocationId: eip.id, subnetId: s.id, connectivityType: "public" }, p);
    f.add("aws:ec2/route:Route", `prod-private-${i + 1}-default`, { routeTableId: privateRts[i].id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id }, p);
  });
  for (const tier of Object.keys(tiers)) {
    const acl = f.add("aws:ec2/networkAcl:NetworkAcl", `prod-${tier}-acl`, { vpcId: vpc.id, tags: { Name: `prod-${tier}`, Tier: tier } }, p);
    subnets[tier].forEach((s, i) => f.add("aws:ec2/networkAclAssociation:NetworkAclAssociation", `prod-${tier}-acl-${i + 1}`, { networkAclId: acl.id, subnetId: s.id }, p));
    if (tier === "public") {
      const rule = (n: number, from: number, to: number, egress = false) =>
        f.add("aws:ec2/networkAclRule:NetworkAclRule", `prod-public-${egress ? "out" : "in"}-${n}`, {
          networkAclId: acl.id, ruleNumber: n, egress, protocol: "tcp", ruleAction: "allow", cidrBlock: "0.0.0.0/0", fromPort: from, toPort: to,
        }, p);
      rule(100, 443, 443);
      rule(110, 80, 80);
      rule(200, 1024, 3388);
      rule(210, 3390, 65535);
      rule(100, 0, 65535, true);
    }
    // The private and isolated tiers admit exactly the fixture's flows (ALB → tasks, tasks → the
    // database, tasks → NAT), with their replies: what ec2-vpc-require-intended-reachability proves.
    const entry = (n: number, egress: boolean, cidrBlock: string, from: number, to: number) =>
      f.add("aws:ec2/networkAclRule:NetworkAclRule", `prod-${tier}-${egress ? "out" : "in"}-${n}`, {
        networkAclId: acl.id, ruleNumber: n, egress, protocol: "tcp", ruleAction: "allow", cidrBlock, fromPort: from, toPort: to,
      }, p);
    if (tier === "private") {
      entry(100, false, "10.30.128.0/19", CONTAINER_PORT, CONTAINER_PORT);
      entry(200, false, "0.0.0.0/0", 1024, 3388);
      entry(210, false, "0.0.0.0/0", 3390, 65535);
      entry(100, true, "0.0.0.0/0", 443, 443);
      entry(110, true, "10.30.160.0/19", DB_PORT, DB_PORT);
      entry(200, true, ENV_CIDR, 1024, 65535);
    }
    if (tier === "isolated") {
      entry(100, false, "10.30.0.0/17", DB_PORT, DB_PORT);
      entry(100, true, "10.30.0.0/17", 1024, 65535);
    }
  }
  f.add("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "prod-default", { vpcId: vpc.id, ingress: [], egress: [], tags: { Name: "prod-default-do-not-use" } }, p);
  const flowGroup = f.add("aws:cloudwatch/logGroup:LogGroup", "prod-flow-logs", { name: "/platform/prod/vpc-flow-logs", retentionInDays: 365, kmsKeyId: kms.arn }, p);
  const flowRole = f.add("aws:iam/role:Role", "prod-flow-logs-role", { description: "VPC flow logs", assumeRolePolicy: trust("vpc-flow-logs.amazonaws.com") }, p);
  f.add("aws:iam/rolePolicy:RolePolicy", "prod-flow-logs-policy", {
    role: flowRole.id,
    policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: ["arn:aws:logs:ap-northeast-2:123456789012:log-group:/platform/prod/vpc-flow-logs:*"] }] }),
  }, p);
  f.add("aws:ec2/flowLog:FlowLog", "prod-flow-log", { vpcId: vpc.id, trafficType: "ALL", logDestinationType: "cloud-watch-logs", logDestination: flowGroup.arn, iamRoleArn: flowRole.arn }, p);

  // --- peering to the management VPC ---
  const peering = f.add("aws:ec2/vpcPeeringConnection:VpcPeeringConnection", "prod-shared-connection", {
    vpcId: vpc.id, peerVpcId: "vpc-0mgmt0000000000000", autoAccept: true, tags: { Name: "prod-shared" },
  });
  privateRts.forEach((t, i) =>
    f.add("aws:ec2/route:Route", `prod-shared-prod-private-${i + 1}`, { routeTableId: t.id, destinationCidrBlock: MGMT_CIDR, vpcPeeringConnectionId: peering.id }),
  );
  f.add("aws:ec2/route:Route", "prod-shared-shared-private-1", { routeTableId: "rtb-0mgmtprivate00001", destinationCidrBlock: "10.30.0.0/17", vpcPeeringConnectionId: peering.id });

  // --- security groups ---
  const sg = (name: string, description: string) => f.add("aws:ec2/securityGroup:SecurityGroup", name, { vpcId: vpc.id, description, tags: { Name: name } });
  const albSg = sg("prod-alb-sg", "ALB: HTTPS (and the HTTP redirect) from the internet");
  const taskSg = sg("prod-tasks-sg", "Tasks: the container port from the ALB only");
  const dbSg = sg("prod-db-sg", "Aurora: the database port from the tasks only");
  const bootstrapSg = f.add("aws:ec2/securityGroup:SecurityGroup", "prod-db-bootstrap-sg", {
    vpcId: vpc.id, description: "Database bootstrap task: no inbound", tags: { Name: "prod-db-bootstrap-sg", Role: "db-bootstrap" },
  });
  const ingress = (name: string, group: FixtureResource, rule: Record<string, unknown>) =>
    f.add("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name, { securityGroupId: group.id, ...(rule as object) });
  const egress = (name: string, group: FixtureResource, rule: Record<string, unknown>) =>
    f.add("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", name, { securityGroupId: group.id, ...(rule as object) });
  ingress("prod-alb-in-443", albSg, { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", description: "HTTPS from the internet" });
  ingress("prod-alb-in-80", albSg, { ipProtocol: "tcp", fromPort: 80, toPort: 80, cidrIpv4: "0.0.0.0/0", description: "HTTP, redirected to HTTPS" });
  egress("prod-alb-out", albSg, { ipProtocol: "tcp", fromPort: CONTAINER_PORT, toPort: CONTAINER_PORT, referencedSecurityGroupId: taskSg.id, description: "To the tasks" });
  f.add("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "prod-tasks-in", {
    securityGroupId: taskSg.id, ipProtocol: "tcp", fromPort: CONTAINER_PORT, toPort: CONTAINER_PORT, referencedSecurityGroupId: albSg.id, description: "From the ALB",
  });
  egress("prod-tasks-out-443", taskSg, { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", description: "AWS APIs and ECR" });
  egress("prod-tasks-out-db", taskSg, { ipProtocol: "tcp", fromPort: DB_PORT, toPort: DB_PORT, referencedSecurityGroupId: dbSg.id, description: "To the database" });
  ingress("prod-db-in-tasks", dbSg, { ipProtocol: "tcp", fromPort: DB_PORT, toPort: DB_PORT, referencedSecurityGroupId: taskSg.id, description: "From the tasks" });
  egress("prod-db-bootstrap-out-443", bootstrapSg, { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", description: "AWS APIs and ECR" });
  egress("prod-db-bootstrap-out-db", bootstrapSg, { ipProtocol: "tcp", fromPort: DB_PORT, toPort: DB_PORT, referencedSecurityGroupId: dbSg.id, description: "To the database" });
  ingress("prod-db-in-bootstrap", dbSg, { ipProtocol: "tcp", fromPort: DB_PORT, toPort: DB_PORT, referencedSecurityGroupId: bootstrapSg.id, description: "From the bootstrap task" });
  ingress("prod-db-in-bastion", dbSg, { ipProtocol: "tcp", fromPort: DB_PORT, toPort: DB_PORT, referencedSecurityGroupId: "sg-0mgmtbastion000001", description: "From the management bastion" });

  // --- ALB and its log bucket ---
  const bucket = f.add("aws:s3/bucket:Bucket", "prod-alb-logs", { forceDestroy: false }, { outputs: { bucket: "prod-alb-logs-123456789012" } });
  f.add("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "prod-alb-logs-bpa", {
    bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
  });
  f.add("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "prod-alb-logs-ownership", { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } });
  f.add("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "prod-alb-logs-sse", {
    bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
  });
  f.add("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "prod-alb-logs-lifecycle", {
    bucket: bucket.id, rules: [{ id: "expire", status: "Enabled", expiration: { days: 400 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }],
  });
  f.add("aws:s3/bucketPolicy:BucketPolicy", "prod-alb-logs-policy", {
    bucket: bucket.id,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Sid: "TLSOnly", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["arn:aws:s3:::prod-alb-logs-123456789012", "arn:aws:s3:::prod-alb-logs-123456789012/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } },
        { Sid: "ElbLogDelivery", Effect: "Allow", Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" }, Action: "s3:PutObject", Resource: "arn:aws:s3:::prod-alb-logs-123456789012/alb/AWSLogs/123456789012/*", Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } },
      ],
    }),
  });
  const alb = f.add("aws:lb/loadBalancer:LoadBalancer", "prod-alb", {
    loadBalancerType: "application",
    internal: false,
    securityGroups: [albSg.id],
    subnets: subnets.public.map((s) => s.id),
    dropInvalidHeaderFields: true,
    desyncMitigationMode: "defensive",
    enableDeletionProtection: true,
    accessLogs: { enabled: true, bucket: bucket.id, prefix: "alb" },
  });
  f.add("aws:wafv2/webAclAssociation:WebAclAssociation", "prod-alb-waf", { resourceArn: alb.arn, webAclArn: "arn:aws:wafv2:ap-northeast-2:123456789012:regional/webacl/platform/abc" });
  const tg = f.add("aws:lb/targetGroup:TargetGroup", "prod-app-tg", {
    port: CONTAINER_PORT, protocol: "HTTP", targetType: "ip", vpcId: vpc.id, healthCheck: { enabled: true, path: "/healthz", matcher: "200", protocol: "HTTP" },
    // Drains no longer than the container's stopTimeout (default 30 s): ecs-service-configure-graceful-shutdown.
    deregistrationDelay: 30,
  });
  const cert = f.add("aws:acm/certificate:Certificate", "prod-cert", { domainName: "app.example.com", validationMethod: "DNS" }, { outputs: { arn: "arn:aws:acm:ap-northeast-2:123456789012:certificate/1" } });
  f.add("aws:lb/listener:Listener", "prod-https", {
    loadBalancerArn: alb.arn, port: 443, protocol: "HTTPS", certificateArn: cert.arn, sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    defaultActions: [{ type: "forward", targetGroupArn: tg.arn }],
  });
  f.add("aws:lb/listener:Listener", "prod-http", {
    loadBalancerArn: alb.arn, port: 80, protocol: "HTTP",
    defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
  });

  // --- ECS ---
  const cluster = f.add("aws:ecs/cluster:Cluster", "prod-cluster", { settings: [{ name: "containerInsights", value: "enhanced" }] });
  f.add("aws:cloudwatch/logGroup:LogGroup", "prod-app-logs", { name: "/platform/prod/app", retentionInDays: 365, kmsKeyId: kms.arn });
  const execRole = f.add("aws:iam/role:Role", "prod-task-execution", { assumeRolePolicy: trust("ecs-tasks.amazonaws.com") });
  f.add("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "prod-task-execution-policy", {
    role: execRole.attr("name"), policyArn: "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
  });
  const taskRole = f.add("aws:iam/role:Role", "prod-task", { assumeRolePolicy: trust("ecs-tasks.amazonaws.com") });
  f.add("aws:iam/rolePolicy:RolePolicy", "prod-task-policy", {
    role: taskRole.id,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::prod-assets/*" },
        { Effect: "Allow", Action: "rds-db:connect", Resource: DB_USER_ARN },
      ],
    }),
  });
  const td = f.add("aws:ecs/taskDefinition:TaskDefinition", "prod-app-td", {
    family: "prod-app", networkMode: "awsvpc", requiresCompatibilities: ["FARGATE"], cpu: "256", memory: "512",
    executionRoleArn: execRole.arn, taskRoleArn: taskRole.arn, containerDefinitions: containerDefinitions(),
    runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" },
  });
  f.add("aws:ecs/service:Service", "prod-app-svc", {
    cluster: cluster.arn, taskDefinition: td.arn, desiredCount: 2, launchType: "FARGATE", platformVersion: "LATEST",
    networkConfiguration: { subnets: subnets.private.map((s) => s.id), securityGroups: [taskSg.id], assignPublicIp: false },
    loadBalancers: [{ targetGroupArn: tg.arn, containerName: "app", containerPort: CONTAINER_PORT }],
  });
  f.add("aws:cloudwatch/logGroup:LogGroup", "prod-db-bootstrap-logs", { name: "/platform/prod/db-bootstrap", retentionInDays: 365, kmsKeyId: kms.arn });
  // The one-off database bootstrap task (started by `aws ecs run-task`, no service): the only task
  // definition that may read the RDS-managed master secret; its group is attached at run time.
  f.add("aws:ecs/taskDefinition:TaskDefinition", "prod-db-bootstrap-td", {
    family: "prod-db-bootstrap", networkMode: "awsvpc", requiresCompatibilities: ["FARGATE"], cpu: "256", memory: "512",
    executionRoleArn: execRole.arn, taskRoleArn: taskRole.arn,
    containerDefinitions: containerDefinitions({
      name: "db-bootstrap",
      portMappings: [],
      secrets: [{ name: "DB_MASTER_PASSWORD", valueFrom: `${MASTER_SECRET}:password::` }],
      logConfiguration: {
        logDriver: "awslogs",
        options: { "awslogs-group": "/platform/prod/db-bootstrap", "awslogs-region": "ap-northeast-2", "awslogs-stream-prefix": "db-bootstrap" },
      },
    }),
    runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" },
    tags: { Name: "prod-db-bootstrap-td", Role: "db-bootstrap" },
  });

  // --- Aurora ---
  const subnetGroup = f.add("aws:rds/subnetGroup:SubnetGroup", "prod-db-subnets", { subnetIds: subnets.isolated.map((s) => s.id) });
  const pg = f.add("aws:rds/clusterParameterGroup:ClusterParameterGroup", "prod-db-params", {
    family: "aurora-postgresql16",
    parameters: [
      { name: "rds.force_ssl", value: "1" },
      { name: "shared_preload_libraries", value: "pg_stat_statements,pgaudit", applyMethod: "pending-reboot" },
      { name: "pgaudit.log", value: "ddl,role" },
    ],
  });
  const db = f.add("aws:rds/cluster:Cluster", "prod-db", {
    clusterIdentifier: "prod-db",
    engine: "aurora-postgresql",
    engineVersion: "16.4",
    port: DB_PORT,
    masterUsername: "platform_admin",
    manageMasterUserPassword: true,
    masterUserSecretKmsKeyId: kms.arn,
    storageEncrypted: true,
    kmsKeyId: kms.arn,
    deletionProtection: true,
    backupRetentionPeriod: 14,
    skipFinalSnapshot: false,
    finalSnapshotIdentifier: "prod-db-final",
    copyTagsToSnapshot: true,
    iamDatabaseAuthenticationEnabled: true,
    enabledCloudwatchLogsExports: ["postgresql"],
    dbSubnetGroupName: subnetGroup.attr("name"),
    dbClusterParameterGroupName: pg.attr("name"),
    vpcSecurityGroupIds: [dbSg.id],
  });
  f.add("aws:cloudwatch/logGroup:LogGroup", "prod-db-postgresql", { name: "/aws/rds/cluster/prod-db/postgresql", retentionInDays: 365, kmsKeyId: kms.arn });
  addBastion(f, { vpc, subnets: subnets.private });
  AZS.forEach((az, i) =>
    f.add("aws:rds/clusterInstance:ClusterInstance", `prod-db-${i + 1}`, {
      clusterIdentifier: db.id, instanceClass: "db.r7g.large", engine: "aurora-postgresql", availabilityZone: az, publiclyAccessible: false,
      autoMinorVersionUpgrade: true, caCertIdentifier: "rds-ca-rsa2048-g1",
    }),
  );
  return f;
}

/** A bastion (launch template + auto scaling group) as the management stack has it. */
export function addBastion(f: Fixture, options: { vpc: FixtureResource; subnets: FixtureResource[] }): FixtureResource {
  const sg = f.add("aws:ec2/securityGroup:SecurityGroup", "bastion-sg", { vpcId: options.vpc.id, description: "Bastion: Session Manager only, no inbound" });
  f.add("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "bastion-https-out", {
    securityGroupId: sg.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", description: "HTTPS to Session Manager",
  });
  const role = f.add("aws:iam/role:Role", "bastion-role", { assumeRolePolicy: trust("ec2.amazonaws.com", false) });
  f.add("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "bastion-ssm", { role: role.attr("name"), policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" });
  const profile = f.add("aws:iam/instanceProfile:InstanceProfile", "bastion-profile", { role: role.attr("name") });
  const lt = f.add("aws:ec2/launchTemplate:LaunchTemplate", "bastion-lt", {
    imageId: "ami-0123456789abcdef0",
    instanceType: "t4g.nano",
    iamInstanceProfile: { arn: profile.arn },
    metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeType: "gp3", volumeSize: 8 } }],
    networkInterfaces: [{ associatePublicIpAddress: "false", securityGroups: [sg.id] }],
    monitoring: { enabled: true },
    tagSpecifications: [{ resourceType: "instance", tags: { Name: "bastion", Role: "bastion" } }],
  });
  f.add("aws:autoscaling/group:Group", "bastion-asg", {
    minSize: 1, maxSize: 1, desiredCapacity: 1, vpcZoneIdentifiers: options.subnets.map((s) => s.id), launchTemplate: { id: lt.id, version: "$Latest" },
  });
  return lt;
}

// --- mutations shared by several test files -----------------------------------------------------

/** An aws.vpc rule on the named group, described "test" unless `rule` says otherwise. */
export function addSgRule(f: Fixture, direction: "Ingress" | "Egress", name: string, group: string, rule: FixtureInputs): FixtureResource {
  return f.add(`aws:vpc/securityGroup${direction}Rule:SecurityGroup${direction}Rule`, name, { securityGroupId: f.get(group).id, description: "test", ...rule });
}

/** The isolated route table gets a default route to the internet gateway. */
export function addIsolatedIgwRoute(f: Fixture): void {
  f.add("aws:ec2/route:Route", "prod-isolated-igw", { routeTableId: f.get("prod-isolated-rt").id, destinationCidrBlock: "0.0.0.0/0", gatewayId: f.get("prod-igw").id });
}

/** The isolated route table gets a default route through the first AZ's NAT gateway. */
export function addIsolatedNatRoute(f: Fixture): void {
  f.add("aws:ec2/route:Route", "prod-isolated-nat", { routeTableId: f.get("prod-isolated-rt").id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: f.get("prod-nat-1").id });
}
