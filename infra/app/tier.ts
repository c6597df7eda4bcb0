import * as pulumi from "@pulumi/pulumi";
import { CACHE_PORT, SessionStore, cacheNames } from "../cache";
import { PlatformConfig } from "../config";
import { Aurora, DatabaseBootstrap, databaseUserName, resolvedInstanceClass, resolvedLogExports, resolvedPort } from "../database";
import { Vpc, uniqueSorted } from "../network";
import { Edge, resolveEdgeSettings } from "../edge";
import { environmentLogGroupPrefix } from "../shared/logs-key";
import { baseTags } from "../tags";
import { AlbCertificate, LoadBalancer } from "./alb";
import { EcsCluster } from "./cluster";
import { DEFAULT_DESIRED_COUNT, ServiceConfig } from "./config";
import { albName, dbClusterIdentifier, targetGroupName } from "./names";
import { planListenerRules } from "./plan";
import { alternateTargetGroupName, isTrafficShift, planRelease } from "./release";
import { FargateService, ImageSource, ServiceCache, ServiceDatabase } from "./service";

/**
 * The application tier of one environment, in deployment order: database, then load balancer,
 * cluster and services. Every piece is optional and driven by config alone: the `shared` stack
 * sets none of `platform:alb|services|database` and gets none of them.
 */
export interface AppTier {
  readonly loadBalancer?: LoadBalancer;
  /** CloudFront + WAF + assets in front of the ALB (platform:edge). */
  readonly edge?: Edge;
  readonly cluster?: EcsCluster;
  readonly services: readonly FargateService[];
  readonly database?: Aurora;
  /** The session store (platform:cache). */
  readonly cache?: SessionStore;
  /** The one-off task that creates the services' database users; present when a service uses the database. */
  readonly databaseBootstrap?: DatabaseBootstrap;
  /** Stack outputs to merge into buildPlatform's return value. */
  readonly outputs: Record<string, pulumi.Output<unknown> | unknown>;
}

export interface AppTierInputs {
  readonly config: PlatformConfig;
  readonly network: Vpc;
  /**
   * Security groups allowed into the database besides the services, by label (e.g. the management
   * VPC's bastion, `{ bastion: sg-... }`), always by reference.
   * @default {}
   */
  readonly databaseAccess?: Readonly<Record<string, pulumi.Input<string>>>;
  /**
   * CIDRs allowed into the database port, by label: only the management VPC, and only when its
   * bastion's security group cannot be referenced (a peering across regions). @default {}
   */
  readonly databaseCidrAccess?: Readonly<Record<string, string>>;
  /** The environment's logs key (infra/shared/logs-key.ts): service and ECS Exec log groups. */
  readonly logsKmsKeyArn: pulumi.Input<string>;
  readonly opts: pulumi.ComponentResourceOptions;
}

/** What the network's NACL planner must let through for this tier (VpcArgs.servicePorts/databasePort/cachePort). */
export function appNetworkIntents(config: Pick<PlatformConfig, "services" | "database"> & Partial<Pick<PlatformConfig, "cache">>): {
  servicePorts: number[];
  databasePort?: number;
  cachePort?: number;
} {
  return {
    servicePorts: uniqueSorted((config.services ?? []).map((s) => s.port)),
    databasePort: config.database ? resolvedPort(config.database) : undefined,
    cachePort: config.cache ? CACHE_PORT : undefined,
  };
}

/** Physical names of one service (pure; see names.ts for the limits). */
export function servicePhysicalNames(project: string, stack: string, s: Pick<ServiceConfig, "name" | "port">) {
  return {
    family: `${project}-${stack}-${s.name}`,
    targetGroupName: targetGroupName(project, stack, s.name, s.port),
    alternateTargetGroupName: alternateTargetGroupName(project, stack, s.name, s.port),
    logGroupName: `${environmentLogGroupPrefix(project, stack)}/services/${s.name}`,
    imageParameterName: `/${project}/${stack}/services/${s.name}/image`,
    repositoryName: `${project}/${stack}/${s.name}`,
  };
}

/** The service name the bootstrap task's physical names use; config refuses a service of that name. */
export const BOOTSTRAP_NAME = "db-bootstrap";

/**
 * Physical names of the database bootstrap task: family and repository as a service's would be
 * (hence the reserved service name); its log group directly under the environment's prefix, since
 * it is not a service.
 */
export function bootstrapPhysicalNames(project: string, stack: string) {
  const n = servicePhysicalNames(project, stack, { name: BOOTSTRAP_NAME, port: 0 });
  return { family: n.family, logGroupName: `${environmentLogGroupPrefix(project, stack)}/${BOOTSTRAP_NAME}`, repositoryName: n.repositoryName };
}

export function buildAppTier({ config, network, databaseAccess, databaseCidrAccess, logsKmsKeyArn, opts }: AppTierInputs): AppTier {
  const { project, stack, region } = config;
  const outputs: Record<string, pulumi.Output<unknown> | unknown> = {};

  // ---- database (isolated tier)
  let database: Aurora | undefined;
  // What every service with `database: true` receives: the same cluster, so built once (each
  // service adds its own user name).
  let serviceDatabase: Omit<ServiceDatabase, "userName"> | undefined;
  if (config.database) {
    const db = config.database;
    const port = resolvedPort(db);
    const instanceClass = resolvedInstanceClass(db);
    if (!instanceClass) throw new Error("platform:database: no instance class (config validation should have refused this)");
    database = new Aurora(
      `${stack}-db`,
      {
        clusterIdentifier: dbClusterIdentifier(project, stack),
        vpcId: network.vpcId,
        subnetIds: network.isolatedSubnetIds,
        availabilityZones: network.availabilityZones,
        azCount: config.network.azCount,
        region,
        engine: db.engine,
        engineVersion: db.engineVersion,
        port,
        databaseName: db.databaseName,
        masterUsername: db.masterUsername,
        instanceClass,
        serverless: db.serverless,
        readers: db.readers,
        readerAutoscaling: db.readerAutoscaling,
        backupRetentionDays: db.backupRetentionDays,
        preferredBackupWindow: db.preferredBackupWindow,
        preferredMaintenanceWindow: db.preferredMaintenanceWindow,
        deletionProtection: db.deletionProtection,
        finalSnapshot: db.finalSnapshot,
        protect: db.protect,
        applyImmediately: db.applyImmediately,
        logExports: resolvedLogExports(db),
        logRetentionDays: db.logRetentionDays,
        performanceInsights: db.performanceInsights,
        performanceInsightsRetentionDays: db.performanceInsightsRetentionDays,
        allowedSecurityGroups: databaseAccess,
        allowedCidrs: databaseCidrAccess,
      },
      opts,
    );
    serviceDatabase = {
      securityGroupId: database.securityGroupId,
      port,
      endpoint: database.endpoint,
      readerEndpoint: database.readerEndpoint,
      databaseName: database.databaseName,
      clusterResourceId: database.clusterResourceId,
    };
    Object.assign(outputs, {
      dbClusterIdentifier: database.clusterIdentifier,
      dbClusterEndpoint: database.endpoint,
      dbClusterReaderEndpoint: database.readerEndpoint,
      dbPort: database.port,
      dbName: database.databaseName,
      dbClusterResourceId: database.clusterResourceId,
      // The master secret's ARN (not its value), for operators (docs/database.md).
      dbSecretArn: database.masterUserSecretArn,
      dbSecurityGroupId: database.securityGroupId,
    });
  }

  // ---- session store (isolated tier)
  let cache: SessionStore | undefined;
  let serviceCache: ServiceCache | undefined;
  if (config.cache) {
    const c = config.cache;
    cache = new SessionStore(
      `${stack}-cache`,
      {
        names: cacheNames(project, stack, environmentLogGroupPrefix(project, stack)),
        vpcId: network.vpcId,
        subnetIds: network.isolatedSubnetIds,
        availabilityZones: network.availabilityZones,
        azCount: config.network.azCount,
        region,
        engine: c.engine,
        engineVersion: c.engineVersion,
        nodeType: c.nodeType,
        parameters: c.parameters,
        replicas: c.replicas,
        automaticFailover: c.automaticFailover,
        multiAz: c.multiAz,
        snapshotRetentionDays: c.snapshotRetentionDays,
        snapshotWindow: c.snapshotWindow,
        maintenanceWindow: c.maintenanceWindow,
        finalSnapshot: c.finalSnapshot,
        protect: c.protect,
        applyImmediately: c.applyImmediately,
        logRetentionDays: c.logRetentionDays,
        logsKmsKeyArn,
      },
      opts,
    );
    serviceCache = {
      securityGroupId: cache.securityGroupId,
      port: CACHE_PORT,
      endpoint: cache.endpoint,
      replicationGroupId: cache.replicationGroupId,
      userName: cache.userName,
    };
    Object.assign(outputs, {
      cacheEndpoint: cache.endpoint,
      cachePort: cache.port,
      cacheUser: cache.userName,
      cacheReplicationGroupId: cache.replicationGroupId,
      cacheSecurityGroupId: cache.securityGroupId,
    });
  }

  // ---- load balancer (public tier)
  let loadBalancer: LoadBalancer | undefined;
  let edge: Edge | undefined;
  const edgeSettings = resolveEdgeSettings(config.edge, config.alb);
  const edgeName = `${stack}-edge`;
  if (config.alb) {
    const alb = config.alb;
    const certificate: AlbCertificate =
      alb.domain !== undefined
        ? { kind: "domain", domain: alb.domain, hostedZone: alb.hostedZone as string, alternativeNames: alb.alternativeNames }
        : { kind: "arn", certificateArn: alb.certificateArn as string };
    loadBalancer = new LoadBalancer(
      `${stack}-alb`,
      {
        loadBalancerName: albName(project, stack),
        vpcId: network.vpcId,
        publicSubnetIds: network.publicSubnetIds,
        region,
        certificate,
        sslPolicy: alb.sslPolicy,
        deletionProtection: alb.deletionProtection,
        accessLogRetentionDays: alb.accessLogRetentionDays,
        accessLogBucketForceDestroy: alb.accessLogBucketForceDestroy,
        wafWebAclArn: alb.wafWebAclArn,
        idleTimeoutSeconds: alb.idleTimeoutSeconds,
        cloudFront: edgeSettings ? { originDomain: edgeSettings.originDomain } : undefined,
        // Where the viewer names' records were while the edge was on (turning it off takes them back).
        previousEdge: { name: edgeName, urn: pulumi.createUrn(edgeName, "platform:edge:Edge", opts.parent) },
      },
      opts,
    );
    if (edgeSettings) {
      edge = new Edge(
        edgeName,
        {
          project,
          stack,
          settings: edgeSettings,
          defaultTags: baseTags(config),
          allowedAccountIds: config.allowedAccountIds,
          previousRecordParent: loadBalancer,
          previousRecordBaseName: `${stack}-alb-alias`,
          existingValidationRecordFqdns: loadBalancer.validationRecordFqdns,
        },
        opts,
      );
      // What the deploy hook (.github/scripts/publish-assets.sh) reads.
      Object.assign(outputs, {
        edgeDistributionId: edge.distributionId,
        edgeDistributionDomainName: edge.distributionDomainName,
        edgeAssetsBucket: edge.assetsBucketName,
        edgeWebAclArn: edge.webAclArn,
        edgeUrl: edge.url,
      });
    }
    Object.assign(outputs, {
      albDnsName: loadBalancer.dnsName,
      albUrl: loadBalancer.url,
      albArn: loadBalancer.arn,
      albSecurityGroupId: loadBalancer.securityGroupId,
      albAccessLogBucket: loadBalancer.accessLogBucket,
    });
  }

  // ---- cluster and services (private tier)
  const serviceConfigs = config.services ?? [];
  let cluster: EcsCluster | undefined;
  const services: FargateService[] = [];
  if (serviceConfigs.length > 0) {
    if (!loadBalancer) throw new Error("platform:services needs platform:alb (config validation should have refused this)");
    const ecs = config.ecs;
    cluster = new EcsCluster(
      `${stack}-ecs`,
      {
        clusterName: `${project}-${stack}`,
        region,
        logGroupPrefix: environmentLogGroupPrefix(project, stack),
        containerInsights: ecs.containerInsights,
        capacityProviderStrategy: ecs.capacityProviderStrategy,
        logRetentionDays: ecs.logRetentionDays,
        logsKmsKeyArn,
      },
      opts,
    );
    const rules = planListenerRules(serviceConfigs.map((s) => ({ service: s.name, hosts: s.routing.hosts, paths: s.routing.paths, priority: s.routing.priority })));
    for (const s of serviceConfigs) {
      const names = servicePhysicalNames(project, stack, s);
      const image: ImageSource =
        s.build !== undefined
          ? { kind: "build", context: s.build, repositoryName: names.repositoryName, forceDelete: ecs.repositoryForceDelete }
          : { kind: "image", image: s.image as string };
      const rule = rules.find((r) => r.service === s.name);
      if (!rule) throw new Error(`no listener rule planned for service ${s.name}`);
      if (s.database && !serviceDatabase) throw new Error(`service ${s.name} uses the database, but there is none (config validation should have refused this)`);
      if (s.cache && !serviceCache) throw new Error(`service ${s.name} uses the cache, but there is none (config validation should have refused this)`);
      const execEnabled = s.execEnabled ?? ecs.execEnabled;
      const release = planRelease(s.deployment, config.network.cidr);
      services.push(
        new FargateService(
          `${stack}-svc-${s.name}`,
          {
            serviceName: s.name,
            family: names.family,
            targetGroupName: names.targetGroupName,
            logGroupName: names.logGroupName,
            imageParameterName: names.imageParameterName,
            region,
            clusterArn: cluster.clusterArn,
            clusterName: cluster.clusterName,
            clusterDependencies: [cluster.capacityProviders],
            capacityProviderStrategy: s.capacityProviderStrategy ?? ecs.capacityProviderStrategy,
            vpcId: network.vpcId,
            privateSubnetIds: network.privateSubnetIds,
            albSecurityGroupId: loadBalancer.securityGroupId,
            albArnSuffix: loadBalancer.arnSuffix,
            listenerArn: loadBalancer.httpsListenerArn,
            rule,
            originHeader: edge?.originHeader,
            healthCheckPath: s.healthCheckPath,
            healthCheckGracePeriodSeconds: s.healthCheckGracePeriodSeconds,
            image,
            imageOwner: s.imageOwner,
            port: s.port,
            cpu: s.cpu,
            memory: s.memory,
            architecture: s.architecture,
            environment: s.environment,
            secrets: s.secrets,
            secretKmsKeyArns: s.secretKmsKeyArns,
            user: s.user,
            readonlyRootFilesystem: s.readonlyRootFilesystem,
            stopTimeoutSeconds: s.stopTimeoutSeconds,
            logsKmsKeyArn: cluster.logsKeyArn,
            logRetentionDays: ecs.logRetentionDays,
            desiredCount: s.desiredCount ?? s.autoscaling?.minCount ?? DEFAULT_DESIRED_COUNT,
            autoscaling: s.autoscaling,
            release,
            deregistrationDelaySeconds: s.deregistrationDelaySeconds,
            alternateTargetGroupName: isTrafficShift(release) ? names.alternateTargetGroupName : undefined,
            testListener: isTrafficShift(release)
              ? { albArn: loadBalancer.arn, certificateArn: loadBalancer.certificateArn, sslPolicy: (config.alb as NonNullable<typeof config.alb>).sslPolicy }
              : undefined,
            exec: execEnabled ? { logGroupArn: cluster.execLogGroupArn, kmsKeyArn: cluster.logsKeyArn } : undefined,
            database: s.database && serviceDatabase ? { ...serviceDatabase, userName: databaseUserName(s.name) } : undefined,
            cache: s.cache && serviceCache ? serviceCache : undefined,
          },
          opts,
        ),
      );
    }
    Object.assign(outputs, {
      clusterName: cluster.clusterName,
      clusterArn: cluster.clusterArn,
      serviceNames: pulumi.all(services.map((s) => s.serviceName)),
      // Per service: style and, for traffic-shift styles, the test listener port (docs/releases.md).
      serviceReleases: Object.fromEntries(
        serviceConfigs.map((s) => {
          const r = planRelease(s.deployment, config.network.cidr);
          return [s.name, isTrafficShift(r) ? { style: r.style, testListenerPort: r.testListenerPort } : { style: r.style }];
        }),
      ),
      serviceImageParameters: pulumi
        .all(services.map((s) => pulumi.all([s.serviceName, s.imageParameterName])))
        .apply((pairs) => Object.fromEntries(pairs.filter(([, p]) => p !== undefined))),
    });
  }

  // ---- database users (one-off task, run by the deploy workflow after `pulumi up`)
  let databaseBootstrap: DatabaseBootstrap | undefined;
  const dbServices = serviceConfigs.filter((s) => s.database);
  if (database && config.database && cluster && dbServices.length > 0) {
    const names = bootstrapPhysicalNames(project, stack);
    const users = Object.fromEntries(dbServices.map((s) => [s.name, databaseUserName(s.name)]));
    databaseBootstrap = new DatabaseBootstrap(
      `${stack}-db-bootstrap`,
      {
        family: names.family,
        logGroupName: names.logGroupName,
        repositoryName: names.repositoryName,
        region,
        vpcId: network.vpcId,
        engine: config.database.engine,
        port: resolvedPort(config.database),
        endpoint: database.endpoint,
        databaseName: config.database.databaseName,
        securityGroupId: database.securityGroupId,
        masterSecretArn: database.masterUserSecretArn,
        kmsKeyArn: database.kmsKeyArn,
        users: Object.values(users),
        // Graviton: the cheapest Fargate price, and the architecture the shipped services build for.
        architecture: "ARM64",
        logsKmsKeyArn: cluster.logsKeyArn,
        logRetentionDays: config.ecs.logRetentionDays,
        repositoryForceDelete: config.ecs.repositoryForceDelete,
      },
      opts,
    );
    // Everything `aws ecs run-task` needs (docs/database.md, "Running the bootstrap task").
    Object.assign(outputs, {
      dbServiceUsers: users,
      dbBootstrapTaskDefinitionArn: databaseBootstrap.taskDefinitionArn,
      dbBootstrapClusterArn: cluster.clusterArn,
      dbBootstrapSubnetIds: network.privateSubnetIds,
      dbBootstrapSecurityGroupId: databaseBootstrap.securityGroupId,
      dbBootstrapLogGroupName: databaseBootstrap.logGroupName,
    });
  }

  return { loadBalancer, edge, cluster, services, database, cache, databaseBootstrap, outputs };
}
