/** IAM and KMS policy documents as typed values: pure, shared by every component that writes one. */

export type PolicyPrincipal = { readonly AWS: string } | { readonly Service: string };

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: PolicyPrincipal | "*";
  readonly Action: string | readonly string[];
  /** Absent only in trust policies. */
  readonly Resource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

/**
 * The bucket-policy statement that refuses every request over plain HTTP, to the bucket and its
 * objects (S3 User Guide, "Enforce encryption of data in transit", aws:SecureTransport).
 */
export function denyInsecureTransport(bucketArn: string): PolicyStatement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/**
 * A customer-managed key policy for CloudWatch Logs: the account administers the key through IAM
 * (AWS's default key policy statement), and the Logs service of this region may use it only for
 * log groups under `logGroupPattern` (the encryption context CloudWatch Logs sends).
 */
export function logsKeyPolicy(accountId: string, region: string, logGroupPatterns: readonly string[]): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountAdministersKeyThroughIam",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "CloudWatchLogsUse",
        Effect: "Allow",
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        Condition: {
          ArnLike: {
            "kms:EncryptionContext:aws:logs:arn": logGroupPatterns.map((p) => `arn:aws:logs:${region}:${accountId}:log-group:${p}`),
          },
        },
      },
    ],
  };
}

/**
 * What VPC Flow Logs needs to deliver to one CloudWatch Logs group, scoped as far as IAM allows.
 *
 * AWS's documented policy for the flow-log role ("IAM role for publishing flow logs to CloudWatch
 * Logs", https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html) grants
 * CreateLogGroup, CreateLogStream, PutLogEvents, DescribeLogGroups and DescribeLogStreams on "*".
 * Here the group is pre-created (no CreateLogGroup), writes and stream lookups are limited to that
 * group and its streams, and DescribeLogGroups, which IAM authorizes against the account's whole
 * log-group space (`…:log-group::log-stream:`) rather than one group, gets `log-group:*` of this
 * account and region: the narrowest resource that still matches it.
 */
export function flowLogDeliveryPolicy(logGroupArn: string): PolicyDocument {
  const m = /^(arn:[^:]+:logs:[^:]+:\d{12}):log-group:[^:]+$/.exec(logGroupArn);
  if (!m) throw new Error(`flowLogDeliveryPolicy: "${logGroupArn}" is not a CloudWatch Logs log group ARN (arn:<partition>:logs:<region>:<account>:log-group:<name>)`);
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "Deliver", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [logGroupArn, `${logGroupArn}:*`] },
      { Sid: "FindGroup", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: `${m[1]}:log-group:*` },
    ],
  };
}

/**
 * The ARN partition of a region: `aws-cn` for China (cn-*), `aws-us-gov` for GovCloud (us-gov-*),
 * `aws` elsewhere (AWS General Reference, "Amazon Resource Names (ARNs)", partition).
 */
export function partitionOf(region: string): string {
  return region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}
