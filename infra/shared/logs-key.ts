import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { customerManagedKeyArgs } from "./kms";
import { logsKeyPolicy } from "./policy-documents";

/**
 * The environment's log-group namespace, `/<project>/<stack>`. Every log group of the environment
 * (flow logs, services, ECS Exec) is named under it, because the logs key may encrypt nothing else.
 */
export function environmentLogGroupPrefix(project: string, stack: string): string {
  return `/${project}/${stack}`;
}

export interface LogsKeyArgs {
  readonly region: string;
  /** The environment's log-group namespace, e.g. `/platform/dev`: the key encrypts only groups under it. */
  readonly logGroupPrefix: string;
}

/**
 * The environment's logs key: one customer-managed KMS key (rotation on, 30-day deletion window)
 * that CloudWatch Logs may use only for log groups under `logGroupPrefix` — the VPC flow logs,
 * the services' groups and ECS Exec sessions. One key per environment, not one per log group:
 * each key is a fixed 1 USD a month and the blast radius is the same environment either way.
 * (Aurora's log groups use the database key, which also encrypts its storage.)
 *
 * Children: `<name>-key`.
 */
export class LogsKey extends pulumi.ComponentResource {
  public readonly keyArn: pulumi.Output<string>;

  constructor(name: string, args: LogsKeyArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("platform:logs:LogsKey", name, {}, opts);
    const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    const key = new aws.kms.Key(
      `${name}-key`,
      customerManagedKeyArgs({ description: `CloudWatch Logs of ${args.logGroupPrefix}/* (flow logs, services, ECS Exec)`, policy: account.apply((acct) => JSON.stringify(logsKeyPolicy(acct, args.region, [`${args.logGroupPrefix}/*`]))), name: `${name}-key` }),
      { parent: this },
    );
    this.keyArn = key.arn;
    this.registerOutputs({ keyArn: this.keyArn });
  }
}
