import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * Every customer-managed key of the platform: symmetric, yearly automatic rotation, the longest
 * deletion window (30 days, so a key deleted by mistake can still be cancelled before data it
 * encrypted is lost for good; KMS ScheduleKeyDeletion allows 7-30). Only what it is for, its key
 * policy and its Name tag differ.
 */
export function customerManagedKeyArgs(args: { readonly description: pulumi.Input<string>; readonly policy: pulumi.Input<string>; readonly name: string }): aws.kms.KeyArgs {
  return {
    description: args.description,
    enableKeyRotation: true,
    rotationPeriodInDays: 365,
    deletionWindowInDays: 30,
    keyUsage: "ENCRYPT_DECRYPT",
    customerMasterKeySpec: "SYMMETRIC_DEFAULT",
    policy: args.policy,
    tags: { Name: args.name },
  };
}
