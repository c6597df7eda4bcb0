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
