import { expect } from "chai";
import { RecordedResource } from "../../../cli/evaluate/harness";
import { cacheConnectPolicy, planCacheNodes } from "../../../infra/cache/plan";
import { evaluateShipped } from "../../support/stacks";

/**
 * The session store as the shipped stacks build it (infra/cache/component.ts, wired by
 * infra/app/tier.ts): exact children, key inputs, the service's variables and its one IAM right.
 */

const byName = (rs: readonly RecordedResource[], name: string): RecordedResource => {
  const hits = rs.filter((r) => r.name === name);
  if (hits.length !== 1) throw new Error(`${hits.length} resources named ${name}`);
  return hits[0];
};

describe("cache/plan: node placement and the connect policy (pure)", () => {
  it("places the primary in AZ 0 and each replica in the next AZ", () => {
    expect(planCacheNodes(2, 3)).to.deep.equal([
      { ordinal: 1, role: "primary", azIndex: 0 },
      { ordinal: 2, role: "replica", azIndex: 1 },
      { ordinal: 3, role: "replica", azIndex: 2 },
    ]);
    expect(() => planCacheNodes(3, 3)).to.throw("planCacheNodes: 4 nodes need 4 AZs, the network has 3");
    expect(() => planCacheNodes(6, 9)).to.throw("planCacheNodes: replicas must be an integer 0..5, got 6");
  });

  it("grants elasticache:Connect on exactly the replication group and the user", () => {
    expect(cacheConnectPolicy("ap-northeast-2", "123456789012", "platform-prod-cache", "platform-prod-app")).to.deep.equal({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ConnectAsCacheUser",
          Effect: "Allow",
          Action: "elasticache:Connect",
          Resource: ["arn:aws:elasticache:ap-northeast-2:123456789012:replicationgroup:platform-prod-cache", "arn:aws:elasticache:ap-northeast-2:123456789012:user:platform-prod-app"],
        },
      ],
    });
  });
});

describe("cache: the shipped stacks", function () {
  this.timeout(300000);

  it("creates exactly the component's children, named from the component name", async () => {
    for (const stack of ["dev", "staging", "prod"]) {
      const { resources } = await evaluateShipped(stack);
      const children = resources.filter((r) => r.parent?.endsWith(`platform:cache:SessionStore::${stack}-cache`)).map((r) => `${r.type} ${r.name}`);
      expect(children.sort(), stack).to.deep.equal(
        [
          `aws:cloudwatch/logGroup:LogGroup ${stack}-cache-log-engine`,
          `aws:cloudwatch/logGroup:LogGroup ${stack}-cache-log-slow`,
          `aws:ec2/securityGroup:SecurityGroup ${stack}-cache-sg`,
          `aws:elasticache/parameterGroup:ParameterGroup ${stack}-cache-params`,
          `aws:elasticache/replicationGroup:ReplicationGroup ${stack}-cache-group`,
          `aws:elasticache/subnetGroup:SubnetGroup ${stack}-cache-subnets`,
          `aws:elasticache/user:User ${stack}-cache-default-user`,
          `aws:elasticache/user:User ${stack}-cache-user`,
          `aws:elasticache/userGroup:UserGroup ${stack}-cache-users`,
          `aws:kms/key:Key ${stack}-cache-key`,
        ].sort(),
      );
    }
    const shared = await evaluateShipped("shared");
    expect(shared.resources.filter((r) => r.type.startsWith("aws:elasticache/"))).to.deep.equal([]);
  });

  it("prod: Multi-AZ with failover, a node in each of the 3 AZs, encrypted both ways with its own key, IAM user group, snapshots and logs", async () => {
    const { resources } = await evaluateShipped("prod");
    const rg = byName(resources, "prod-cache-group").inputs;
    const key = byName(resources, "prod-cache-key").outputs.arn;
    const subnets = resources.filter((r) => r.type === "aws:ec2/subnet:Subnet" && (r.inputs.tags as Record<string, string>).Tier === "isolated").map((r) => r.id);
    expect(byName(resources, "prod-cache-subnets").inputs.subnetIds).to.deep.equal(subnets);
    expect(rg).to.deep.include({
      replicationGroupId: "platform-prod-cache",
      engine: "valkey",
      engineVersion: "8.0",
      nodeType: "cache.m7g.large",
      port: 6379,
      clusterMode: "disabled",
      numCacheClusters: 3,
      preferredCacheClusterAzs: ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"],
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      atRestEncryptionEnabled: true,
      kmsKeyId: key,
      transitEncryptionEnabled: true,
      transitEncryptionMode: "required",
      userGroupIds: ["platform-prod-cache-users"],
      snapshotRetentionLimit: 7,
      snapshotWindow: "16:00-17:00",
      maintenanceWindow: "mon:18:30-mon:19:30",
      finalSnapshotIdentifier: "platform-prod-cache-final",
      autoMinorVersionUpgrade: true,
    });
    expect(rg.logDeliveryConfigurations).to.deep.equal([
      { destinationType: "cloudwatch-logs", destination: "/platform/prod/elasticache/slow-log", logFormat: "json", logType: "slow-log" },
      { destinationType: "cloudwatch-logs", destination: "/platform/prod/elasticache/engine-log", logFormat: "json", logType: "engine-log" },
    ]);
    expect([byName(resources, "prod-cache-group").protect, byName(resources, "prod-cache-key").protect]).to.deep.equal([true, true]);
    const logsKey = byName(resources, "prod-logs-key").outputs.arn;
    expect(byName(resources, "prod-cache-log-slow").inputs).to.deep.include({ name: "/platform/prod/elasticache/slow-log", retentionInDays: 365, kmsKeyId: logsKey });
  });

  it("dev: one node, no failover, no snapshots, nothing protected", async () => {
    const { resources } = await evaluateShipped("dev");
    const rg = byName(resources, "dev-cache-group");
    expect(rg.inputs).to.deep.include({ numCacheClusters: 1, automaticFailoverEnabled: false, multiAzEnabled: false, snapshotRetentionLimit: 0, nodeType: "cache.t4g.micro" });
    expect(rg.inputs).to.not.have.property("finalSnapshotIdentifier");
    expect(rg.inputs).to.not.have.property("snapshotWindow");
    expect([rg.protect, byName(resources, "dev-cache-key").protect]).to.deep.equal([false, false]);
  });

  it("RBAC: an IAM user whose id is its name, and a switched-off default user, both in the one user group", async () => {
    const { resources } = await evaluateShipped("staging");
    expect(byName(resources, "staging-cache-user").inputs).to.deep.include({
      userId: "platform-staging-app",
      userName: "platform-staging-app",
      engine: "redis",
      accessString: "on ~* &* +@all",
      authenticationMode: { type: "iam" },
    });
    expect(byName(resources, "staging-cache-default-user").inputs).to.deep.include({
      userId: "platform-staging-default",
      userName: "default",
      engine: "redis",
      accessString: "off -@all",
      noPasswordRequired: true,
    });
    // Not authenticationMode { type: "no-password-required" }: AWS reads that back as
    // "no-password", a diff on every later preview.
    expect(byName(resources, "staging-cache-default-user").inputs).to.not.have.property("authenticationMode");
    expect(byName(resources, "staging-cache-default-user").outputs.authenticationMode).to.deep.equal({ type: "no-password", passwordCount: 0 });
    expect(byName(resources, "staging-cache-users").inputs).to.deep.include({
      userGroupId: "platform-staging-cache-users",
      engine: "redis",
      userIds: ["platform-staging-default", "platform-staging-app"],
    });
  });

  it("the cache's group admits hello's group alone, on 6379, and hello may send only there", async () => {
    const { resources } = await evaluateShipped("prod");
    const cacheSg = byName(resources, "prod-cache-sg").id;
    const helloSg = byName(resources, "prod-svc-hello-sg").id;
    const rules = resources.filter((r) => r.type.startsWith("aws:vpc/securityGroup") && (r.inputs.securityGroupId === cacheSg || r.inputs.referencedSecurityGroupId === cacheSg));
    expect(rules.map((r) => [r.type.split(":").pop(), r.name, r.inputs.securityGroupId === cacheSg ? "cache" : "hello", r.inputs.fromPort, r.inputs.toPort, r.inputs.referencedSecurityGroupId === helloSg ? "hello" : "cache"])).to.deep.equal([
      ["SecurityGroupEgressRule", "prod-svc-hello-cache-out", "hello", 6379, 6379, "cache"],
      ["SecurityGroupIngressRule", "prod-svc-hello-cache-in", "cache", 6379, 6379, "hello"],
    ]);
    expect(rules.some((r) => r.inputs.cidrIpv4 !== undefined)).to.equal(false);
  });

  it("hello gets CACHE_* variables and exactly elasticache:Connect on the group and the user; outputs name endpoint, port and user", async () => {
    const { resources, outputs } = await evaluateShipped("prod");
    const defs = JSON.parse(String(byName(resources, "prod-svc-hello-taskdef").inputs.containerDefinitions)) as Array<{ environment: Array<{ name: string; value: string }> }>;
    const env = Object.fromEntries(defs[0].environment.filter((e) => e.name.startsWith("CACHE_") || e.name === "AWS_REGION").map((e) => [e.name, e.value]));
    const endpoint = byName(resources, "prod-cache-group").outputs.primaryEndpointAddress;
    expect(env).to.deep.equal({ AWS_REGION: "ap-northeast-2", CACHE_HOST: endpoint, CACHE_NAME: "platform-prod-cache", CACHE_PORT: "6379", CACHE_TLS: "true", CACHE_USER: "platform-prod-app" });
    // As ElastiCache names a TLS-enabled, cluster-mode-disabled group's primary endpoint (the mock answers so).
    expect(endpoint).to.match(/^master\.platform-prod-cache\.[0-9a-f]{6}\.apn2\.cache\.amazonaws\.com$/);
    expect(JSON.parse(String(byName(resources, "prod-svc-hello-task-role-cache").inputs.policy))).to.deep.equal(cacheConnectPolicy("ap-northeast-2", "123456789012", "platform-prod-cache", "platform-prod-app"));
    const cachePolicies = resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && String(r.inputs.policy).includes("elasticache:"));
    expect(cachePolicies.map((r) => r.name)).to.deep.equal(["prod-svc-hello-task-role-cache"]);
    expect({ cacheEndpoint: outputs.cacheEndpoint, cachePort: outputs.cachePort, cacheUser: outputs.cacheUser }).to.deep.equal({ cacheEndpoint: endpoint, cachePort: 6379, cacheUser: "platform-prod-app" });
  });
});
