import { Policies } from "@pulumi/policy";
import { resourcePolicy, stackPolicy } from "./lib/define";
import { parseContainerDefinitions } from "./lib/ecs";
import { Resource, StackGraph, describe, prop } from "./lib/graph";
import { obj } from "./lib/props";
import { T } from "./lib/types";
import { forEachKnown, isPresent, peek } from "./lib/unknowns";

/**
 * CloudWatch Logs. A log group that AWS creates on first write (ECS awslogs with
 * awslogs-create-group, RDS log exports, flow logs) never expires and is not encrypted, so every
 * sink the platform writes to must exist as a managed log group with retention.
 */

export const logGroupConfigureRetention = resourcePolicy<{ minimumRetentionDays: number }>({
  name: "cloudwatch-loggroup-configure-retention",
  description: "Log groups must set retention explicitly, at least the configured number of days (365 in production).",
  enforcementLevel: "mandatory",
  category: "operations",
  severity: "medium",
  catalog: ["82"],
  configSchema: { properties: { minimumRetentionDays: { type: "integer", minimum: 1, maximum: 3653, default: 365 } } },
  defaults: { minimumRetentionDays: 365 },
  types: [T.logGroup],
  validate: (r, report) => {
    const days = r.props.retentionInDays;
    if (typeof days !== "number") {
      report(`Retention is not set, so logs never expire; set retentionInDays (at least ${r.config.minimumRetentionDays}).`);
    } else if (days !== 0 && days < r.config.minimumRetentionDays) {
      report(`Logs are kept ${days} day(s); set retentionInDays to at least ${r.config.minimumRetentionDays}.`);
    }
  },
});

export const logGroupRequireKmsEncryption = resourcePolicy({
  name: "cloudwatch-loggroup-require-kms-encryption",
  description: "Log groups must be encrypted with a customer-managed KMS key.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "medium",
  catalog: ["83"],
  types: [T.logGroup],
  validate: (r, report) => {
    if (!isPresent(r.props, "kmsKeyId")) {
      report("The log group is not encrypted with a customer-managed key; set kmsKeyId to a key whose policy allows logs.<region>.amazonaws.com.");
    }
  },
});

function logGroupsByName(graph: StackGraph): Map<string, Resource> {
  const out = new Map<string, Resource>();
  for (const lg of graph.ofType(T.logGroup)) {
    const name = peek(() => prop(lg, "name"));
    if (typeof name === "string" && name !== "") out.set(name, lg);
  }
  return out;
}

export const logGroupRequireManagedSinks = stackPolicy({
  name: "cloudwatch-loggroup-require-managed-sinks",
  description: "Every log group AWS writes to (flow logs, container logs, RDS log exports, ECS Exec) must be a managed log group of the stack.",
  enforcementLevel: "mandatory",
  category: "operations",
  severity: "medium",
  catalog: ["X8", "X10", "52"],
  appliesTo: [T.flowLog, T.ecsTaskDefinition, T.rdsCluster, T.ecsCluster],
  validate: ({ graph }, report) => {
    const byName = logGroupsByName(graph);
    const missing = (who: Resource, what: string, name: string | undefined) =>
      report(
        `${describe(who)} writes ${what} to ${name ? `log group "${name}"` : "a log group"} that this stack does not manage; ` +
          `create it as an aws.cloudwatch.LogGroup with retention and reference it.`,
        who.urn,
      );

    forEachKnown(graph.ofType(T.flowLog), (fl) => {
      const type = prop(fl, "logDestinationType") ?? "cloud-watch-logs";
      if (type !== "cloud-watch-logs") return;
      const viaRef = graph.refs(fl, "logDestination", [T.logGroup]).length > 0 || graph.refs(fl, "logGroupName", [T.logGroup]).length > 0;
      if (!viaRef) {
        const dest = peek(() => prop(fl, "logDestination"));
        const name = typeof dest === "string" ? dest.replace(/^arn:[^:]+:logs:[^:]*:[^:]*:log-group:/, "").replace(/:\*$/, "") : undefined;
        if (!name || !byName.has(name)) missing(fl, "flow logs", name);
      }
    });

    forEachKnown(graph.ofType(T.ecsTaskDefinition), (td) => {
      // Malformed definitions are the ECS task definition policies' to report.
      for (const c of parseContainerDefinitions(prop(td, "containerDefinitions")) ?? []) {
        const group = c.logConfiguration?.options?.["awslogs-group"];
        if (typeof group === "string" && !byName.has(group)) missing(td, `the logs of container "${String(c.name ?? "")}"`, group);
      }
    });

    forEachKnown(graph.ofType(T.rdsCluster), (cluster) => {
      const exports = prop(cluster, "enabledCloudwatchLogsExports");
      if (!Array.isArray(exports) || exports.length === 0) return;
      const id = prop(cluster, "clusterIdentifier");
      for (const kind of exports as string[]) {
        const name = `/aws/rds/cluster/${String(id)}/${kind}`;
        if (!byName.has(name)) missing(cluster, `${kind} logs`, name);
      }
    });

    forEachKnown(graph.ofType(T.ecsCluster), (cluster) => {
      const exec = obj(obj(prop(cluster, "configuration"))?.executeCommandConfiguration);
      const lc = obj(exec?.logConfiguration);
      if (!exec || exec.logging !== "OVERRIDE" || !lc) return;
      const name = lc.cloudWatchLogGroupName;
      if (typeof name === "string" && name !== "" && !byName.has(name)) missing(cluster, "ECS Exec sessions", name);
    });
  },
});

/**
 * An alarm that notifies nobody is noticed only by whoever opens the console (AWS Security Hub
 * CloudWatch.15, "CloudWatch alarms should have specified actions configured", and CloudWatch.17,
 * "CloudWatch alarm actions should be activated"). The exception is an alarm an ECS service names
 * in `alarms.alarmNames`: ECS watches its state during a deployment and rolls back, so it needs
 * no action of its own (Amazon ECS Developer Guide, "How CloudWatch alarms detect Amazon ECS
 * deployment failures").
 */
export const metricAlarmRequireActions = stackPolicy({
  name: "cloudwatch-metricalarm-require-actions",
  description: "CloudWatch alarms should have enabled alarm actions, unless an ECS service watches them to roll back deployments.",
  enforcementLevel: "advisory",
  category: "operations",
  severity: "low",
  catalog: ["84"],
  appliesTo: [T.metricAlarm],
  validate: ({ graph }, report) => {
    const watched = new Set<string>();
    for (const svc of graph.ofType(T.ecsService)) {
      const names = peek(() => obj(prop(svc, "alarms"))?.alarmNames);
      if (Array.isArray(names)) for (const n of names) if (typeof n === "string") watched.add(n);
    }
    forEachKnown(graph.ofType(T.metricAlarm), (a) => {
      const name = peek(() => prop(a, "name"));
      if (typeof name === "string" && watched.has(name)) return;
      const actions = prop(a, "alarmActions");
      if (!Array.isArray(actions) || actions.length === 0) {
        report(`${describe(a)} has no alarm actions, so it changes state without telling anyone; set alarmActions to an SNS topic the team reads.`, a.urn);
      } else if (prop(a, "actionsEnabled") === false) {
        report(`${describe(a)} has its actions disabled; set actionsEnabled to true (or remove it: true is the default).`, a.urn);
      }
    });
  },
});

export const policies: Policies = [logGroupConfigureRetention, logGroupRequireKmsEncryption, logGroupRequireManagedSinks, metricAlarmRequireActions];
