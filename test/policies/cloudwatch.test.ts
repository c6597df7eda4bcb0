import { expect } from "chai";
import { policies } from "../../policies/cloudwatch";
import { checkFixture, violationsOf } from "../support/policy-harness";
import { policyTests } from "./cases";
import { prodFixture } from "./fixtures";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const TOPIC = "arn:aws:sns:ap-northeast-2:222222222222:platform-alerts";
const alarm = (name: string, extra: Record<string, unknown> = {}) => ({
  name, namespace: "AWS/ApplicationELB", metricName: "HTTPCode_Target_5XX_Count", comparisonOperator: "GreaterThanThreshold",
  threshold: 5, period: 60, evaluationPeriods: 1, statistic: "Sum", ...extra,
});

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
  {
    policy: "cloudwatch-metricalarm-require-actions",
    title: "an alarm notifies nobody (no alarmActions)",
    mutate: (f) => f.add(ALARM, "prod-tunnel-down", alarm("platform-prod-tunnel-down", { alarmActions: [] })),
    messages: ['MetricAlarm "prod-tunnel-down" has no alarm actions, so it changes state without telling anyone; set alarmActions to an SNS topic the team reads.'],
    level: "advisory",
  },
  {
    policy: "cloudwatch-metricalarm-require-actions",
    title: "an alarm's actions are disabled",
    mutate: (f) => f.add(ALARM, "prod-5xx", alarm("platform-prod-5xx", { alarmActions: [TOPIC], actionsEnabled: false })),
    messages: ['MetricAlarm "prod-5xx" has its actions disabled; set actionsEnabled to true (or remove it: true is the default).'],
    level: "advisory",
  },
]);

describe("cloudwatch-metricalarm-require-actions: the exceptions", function () {
  this.timeout(180000);
  it("passes an alarm without actions that the ECS service watches for rollback (alarms.alarmNames), and one with a topic", async () => {
    const f = prodFixture({});
    f.add(ALARM, "prod-5xx-blue", alarm("platform-prod-5xx-blue"));
    f.add(ALARM, "prod-5xx-paged", alarm("platform-prod-5xx-paged", { alarmActions: [TOPIC] }));
    f.update("prod-app-svc", (i) => (i.alarms = { alarmNames: ["platform-prod-5xx-blue"], enable: true, rollback: true }));
    expect(violationsOf(await checkFixture(f, { config: "prod" }), "cloudwatch-metricalarm-require-actions")).to.deep.equal([]);
  });

  it("is disabled in dev (guardrails catalog row 84: advisory in production, disabled in development)", async () => {
    const f = prodFixture({});
    f.add(ALARM, "prod-tunnel-down", alarm("platform-prod-tunnel-down"));
    const result = await checkFixture(f, { config: "dev" });
    expect(violationsOf(result, "cloudwatch-metricalarm-require-actions")).to.deep.equal([]);
  });
});
