import { PolicyPack } from "@pulumi/policy";
import { policies as cloudfront } from "./cloudfront";
import { policies as cloudwatch } from "./cloudwatch";
import { policies as ec2 } from "./ec2";
import { policies as ecs } from "./ecs";
import { policies as elasticache } from "./elasticache";
import { policies as deployments } from "./deployments";
import { policies as iam } from "./iam";
import { policies as kms } from "./kms";
import { policies as lb } from "./lb";
import { policies as nacl } from "./nacl";
import { policies as rds } from "./rds";
import { policies as reach } from "./reach";
import { policies as s3 } from "./s3";
import { policies as securityGroups } from "./securitygroup";
import { policies as tagging } from "./tagging";
import { policies as vpc } from "./vpc";
import { policies as vpn } from "./vpn";

/**
 * The platform's guardrails (../shared/reference/guardrails.md) as one CrossGuard pack.
 *
 * Each policy's own level is its production level; policies/config/<stack>.json says per stack
 * what is relaxed (`--policy-pack-config`). Run it with
 *   pulumi preview --policy-pack policies --policy-pack-config policies/config/<stack>.json
 * or offline with `platform check <stack>`.
 */
new PolicyPack("platform-policies", {
  description: "Platform guardrails: network, security groups, bastion, ALB, ECS, Aurora, ElastiCache, logs, KMS, IAM, S3, office VPN.",
  provider: "aws",
  enforcementLevel: "mandatory",
  policies: [...vpc, ...nacl, ...securityGroups, ...ec2, ...lb, ...ecs, ...rds, ...elasticache, ...cloudwatch, ...kms, ...iam, ...s3, ...tagging, ...reach, ...vpn, ...deployments, ...cloudfront],
});
