import { Policies } from "@pulumi/policy";
import { resourcePolicy } from "./lib/define";
import { T } from "./lib/types";

/**
 * Cross-cutting: cost allocation and ownership tags. Tags usually come from the provider's
 * defaultTags, so a resource's own `tags` are merged over the provider's before checking.
 */

export const TAGGED_TYPES: readonly string[] = [
  T.vpc, T.subnet, T.internetGateway, T.natGateway, T.eip, T.routeTable, T.networkAcl, T.securityGroup, T.flowLog,
  T.vpcEndpoint, T.vpcPeeringConnection, T.instance, T.launchTemplate, ...T.loadBalancer, ...T.targetGroup,
  T.ecsCluster, T.ecsService, T.ecsTaskDefinition, T.rdsCluster, T.rdsClusterInstance, T.rdsSubnetGroup,
  T.logGroup, T.kmsKey, T.iamRole, ...T.s3Bucket,
  // The kinds issues #15 and #16 added (docs/development.md, "Coverage of resource kinds"): each
  // takes tags, and the edge's us-east-1 provider carries the stack provider's defaultTags.
  T.elasticacheReplicationGroup, T.elasticacheSubnetGroup, T.elasticacheParameterGroup, T.elasticacheUser, T.elasticacheUserGroup,
  T.vpnGateway, T.customerGateway, T.vpnConnection, T.metricAlarm,
  T.cloudfrontDistribution, T.wafWebAcl, T.acmCertificate,
];

export const DEFAULT_REQUIRED_TAGS = ["Project", "Environment", "ManagedBy"];

export const resourceRequireTags = resourcePolicy<{ requiredTags: string[] }>({
  name: "aws-resource-require-tags",
  description: "Taggable resources should carry the platform's ownership and cost-allocation tags.",
  enforcementLevel: "advisory",
  category: "operations",
  severity: "low",
  catalog: ["103"],
  configSchema: { properties: { requiredTags: { type: "array", items: { type: "string" }, default: DEFAULT_REQUIRED_TAGS } } },
  defaults: { requiredTags: DEFAULT_REQUIRED_TAGS },
  types: TAGGED_TYPES,
  validate: (r, report) => {
    const tags = r.tags();
    const missing = r.config.requiredTags.filter((k) => !(k in tags));
    if (missing.length > 0) {
      report(`Missing tag(s) ${missing.join(", ")}; set them once in the provider's defaultTags.`);
    }
  },
});

export const policies: Policies = [resourceRequireTags];
