import { policies } from "../../policies/cloudwatch";
import { policyTests } from "./cases";

policyTests("policies/cloudwatch.ts", policies, [
  {
    policy: "cloudwatch-loggroup-configure-retention",
    title: "a log group keeps 30 days in prod",
    mutate: (f) => f.update("prod-app-logs", (i) => (i.retentionInDays = 30)),
    messages: ["Logs are kept 30 day(s); set retentionInDays to at least 365."],
  },
  {
    policy: "cloudwatch-loggroup-configure-retention",
    title: "retention is not set at all in dev",
    mutate: (f) => f.update("prod-app-logs", (i) => delete i.retentionInDays),
    messages: ["Retention is not set, so logs never expire; set retentionInDays (at least 1)."],
    config: "dev",
  },
  {
    policy: "cloudwatch-loggroup-require-kms-encryption",
    title: "the flow-log group has no customer-managed key",
    mutate: (f) => f.update("prod-flow-logs", (i) => delete i.kmsKeyId),
    messages: ["The log group is not encrypted with a customer-managed key; set kmsKeyId to a key whose policy allows logs.<region>.amazonaws.com."],
  },
  {
    policy: "cloudwatch-loggroup-require-managed-sinks",
    title: "the container log group is not managed",
    mutate: (f) => f.remove("prod-app-logs"),
    messages: [
      'TaskDefinition "prod-app-td" writes the logs of container "app" to log group "/platform/prod/app" that this stack does not manage; create it as an aws.cloudwatch.LogGroup with retention and reference it.',
    ],
  },
  {
    policy: "cloudwatch-loggroup-require-managed-sinks",
    title: "the RDS export log group is left for AWS to create",
    mutate: (f) => f.remove("prod-db-postgresql"),
    messages: [
      'Cluster "prod-db" writes postgresql logs to log group "/aws/rds/cluster/prod-db/postgresql" that this stack does not manage; create it as an aws.cloudwatch.LogGroup with retention and reference it.',
    ],
  },
]);
