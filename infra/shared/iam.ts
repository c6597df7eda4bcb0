import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** A trust policy letting one AWS service assume a role. */
export function serviceTrustPolicy(service: string, conditions?: Record<string, Record<string, unknown>>): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        ...(conditions ? { Condition: conditions } : {}),
      },
    ],
  });
}

export const SSM_MANAGED_INSTANCE_CORE = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";

export interface SsmInstanceProfile {
  readonly role: aws.iam.Role;
  readonly profile: aws.iam.InstanceProfile;
}

/**
 * A role + instance profile with only AWS's SSM core policy: Session Manager access and patch
 * inventory, no static keys on the box, nothing else.
 */
export function ssmInstanceProfile(name: string, parent: pulumi.Resource): SsmInstanceProfile {
  const role = new aws.iam.Role(
    `${name}-role`,
    {
      description: `Instance role for ${name}: Session Manager only.`,
      assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com"),
    },
    { parent },
  );
  new aws.iam.RolePolicyAttachment(`${name}-ssm`, { role: role.name, policyArn: SSM_MANAGED_INSTANCE_CORE }, { parent });
  const profile = new aws.iam.InstanceProfile(`${name}-profile`, { role: role.name }, { parent });
  return { role, profile };
}
