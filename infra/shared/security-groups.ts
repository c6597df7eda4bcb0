import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** One side of a group-to-group opening: the rule's logical name (also its Name tag) and description. */
export interface RuleSide {
  readonly name: string;
  readonly description: string;
}

export interface GroupToGroupArgs {
  /** The group traffic leaves: it gets the egress rule. */
  readonly from: pulumi.Input<string>;
  /** The group traffic enters: it gets the ingress rule. */
  readonly to: pulumi.Input<string>;
  readonly port: pulumi.Input<number>;
  readonly egress: RuleSide;
  readonly ingress: RuleSide;
  /** Tags of each rule, from its name. */
  readonly tags: (name: string) => Record<string, string>;
  /** Which rule registers first. @default "egress" */
  readonly first?: "egress" | "ingress";
}

/**
 * Opens one TCP port from one security group to another by group reference: the egress rule on
 * `from` and the ingress rule on `to`. Both are needed: the platform's groups carry no
 * allow-all egress, and a stateful group admits the reply but not the first packet
 * ("Security group rules", Amazon VPC User Guide). One rule resource each, never inline rules,
 * so another stack or component can add its own without the two fighting over the group.
 */
export function allowGroupToGroup(args: GroupToGroupArgs, opts: pulumi.CustomResourceOptions): void {
  const egress = () =>
    new aws.vpc.SecurityGroupEgressRule(
      args.egress.name,
      {
        securityGroupId: args.from,
        referencedSecurityGroupId: args.to,
        ipProtocol: "tcp",
        fromPort: args.port,
        toPort: args.port,
        description: args.egress.description,
        tags: args.tags(args.egress.name),
      },
      opts,
    );
  const ingress = () =>
    new aws.vpc.SecurityGroupIngressRule(
      args.ingress.name,
      {
        securityGroupId: args.to,
        referencedSecurityGroupId: args.from,
        ipProtocol: "tcp",
        fromPort: args.port,
        toPort: args.port,
        description: args.ingress.description,
        tags: args.tags(args.ingress.name),
      },
      opts,
    );
  if (args.first === "ingress") {
    ingress();
    egress();
  } else {
    egress();
    ingress();
  }
}
