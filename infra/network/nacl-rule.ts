import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { NaclRule, naclRuleArgs } from "./nacl";

/**
 * One planned network ACL entry as a resource. Every entry is replaced delete-first: an entry has
 * no update (every change replaces it), and AWS refuses a second entry with the same rule number
 * and direction in an ACL ("NetworkAclEntryAlreadyExists", CreateNetworkAclEntry;
 * pulumi/pulumi-aws#3244), so the default create-first replacement of, say, an office range
 * (rule 500) would fail the update. The gap is the one rule, for seconds.
 */
export function networkAclRule(
  logicalName: string,
  rule: NaclRule,
  networkAclId: pulumi.Input<string>,
  opts: pulumi.CustomResourceOptions,
): aws.ec2.NetworkAclRule {
  return new aws.ec2.NetworkAclRule(logicalName, naclRuleArgs(rule, networkAclId), { ...opts, deleteBeforeReplace: true });
}
