import { Policies } from "@pulumi/policy";
import { policies as cloudfront } from "../../policies/cloudfront";
import { policies as cloudwatch } from "../../policies/cloudwatch";
import { policies as ec2 } from "../../policies/ec2";
import { policies as ecs } from "../../policies/ecs";
import { policies as elasticache } from "../../policies/elasticache";
import { policies as deployments } from "../../policies/deployments";
import { policies as iam } from "../../policies/iam";
import { policies as kms } from "../../policies/kms";
import { policies as lb } from "../../policies/lb";
import { policies as nacl } from "../../policies/nacl";
import { policies as rds } from "../../policies/rds";
import { policies as reach } from "../../policies/reach";
import { policies as s3 } from "../../policies/s3";
import { policies as securityGroups } from "../../policies/securitygroup";
import { policies as tagging } from "../../policies/tagging";
import { policies as vpc } from "../../policies/vpc";
import { policies as vpn } from "../../policies/vpn";

/** Every policy of the pack, as policies/index.ts assembles them (index.ts itself serves the pack). */
export const ALL_POLICIES: Policies = [...vpc, ...nacl, ...securityGroups, ...ec2, ...lb, ...ecs, ...rds, ...elasticache, ...cloudwatch, ...kms, ...iam, ...s3, ...tagging, ...reach, ...vpn, ...deployments, ...cloudfront];
