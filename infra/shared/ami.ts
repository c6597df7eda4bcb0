import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * The latest Amazon Linux 2023 image for arm64 (Graviton), owned by Amazon.
 *
 * Looked up at deploy time so the bastion and NAT instance pick up patched images by being
 * replaced (a new AMI id changes the launch template / instance), never by patching in place.
 * The minimal image is excluded: it lacks the SSM agent the bastion relies on.
 */
export function amazonLinux2023Arm64(opts?: pulumi.InvokeOutputOptions): pulumi.Output<string> {
  return aws.ec2
    .getAmiOutput(
      {
        owners: ["amazon"],
        mostRecent: true,
        filters: [
          { name: "name", values: ["al2023-ami-2023.*-kernel-*-arm64"] },
          { name: "architecture", values: ["arm64"] },
          { name: "virtualization-type", values: ["hvm"] },
        ],
      },
      opts,
    )
    .apply((ami) => ami.id);
}
