import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { amazonLinux2023Arm64 } from "../shared/ami";
import { ssmInstanceProfile } from "../shared/iam";
import { DEFAULT_BASTION_INSTANCE_TYPE, DEFAULT_BASTION_VOLUME_GIB } from "./config";

export interface BastionArgs {
  readonly vpcId: pulumi.Input<string>;
  /** Private subnets (Session Manager path) — used when no SSH source is configured. */
  readonly privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Public subnets — used only when `sshCidrs` is non-empty. */
  readonly publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** @default "t4g.nano" */
  readonly instanceType?: string;
  /** @default 8 */
  readonly volumeSize?: number;
  /** Office CIDRs allowed to SSH. @default [] - Session Manager only, no inbound rule at all */
  readonly sshCidrs?: readonly string[];
  /**
   * Office CIDRs behind the site-to-site VPN (infra/vpn), admitted on `officePorts`. Unlike
   * `sshCidrs` they arrive at the bastion's private address through the virtual private gateway,
   * so the bastion stays in the private tier with no public IP. @default []
   */
  readonly officeCidrs?: readonly string[];
  /** TCP ports the office CIDRs may open. @default [22] */
  readonly officePorts?: readonly number[];
  /**
   * Tags for the instance and its volume. Provider default tags reach the launch template, not
   * what the auto scaling group launches from it, so they are passed explicitly here.
   */
  readonly instanceTags: Readonly<Record<string, string>>;
}

/**
 * An immutable ("phoenix") bastion: a launch template plus an auto scaling group of exactly one.
 * Any change (new AMI, type, user data) produces a new template version and the group's
 * instance refresh replaces the instance, so the bastion never drifts and never gets patched in
 * place. A dead instance is replaced by the group too.
 *
 * Access is through Session Manager by default (no inbound rule, private subnet, no public IP).
 * SSH is opt-in: it moves the instance to a public subnet with a public IP and opens 22 only to
 * the configured office CIDRs.
 */
export class Bastion extends pulumi.ComponentResource {
  public readonly securityGroupId: pulumi.Output<string>;
  public readonly autoScalingGroupName: pulumi.Output<string>;
  public readonly launchTemplateId: pulumi.Output<string>;
  public readonly roleArn: pulumi.Output<string>;
  /** The instance role's name (what inline policies attach to). */
  public readonly roleName: pulumi.Output<string>;
  public readonly securityGroup: aws.ec2.SecurityGroup;

  constructor(name: string, args: BastionArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("platform:bastion:Bastion", name, {}, opts);
    const parent = { parent: this };
    const sshCidrs = args.sshCidrs ?? [];
    const ssh = sshCidrs.length > 0;

    this.securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        vpcId: args.vpcId,
        description: ssh ? `Bastion ${name}: SSH from office CIDRs only` : `Bastion ${name}: Session Manager only, no inbound`,
        tags: { Name: `${name}-sg` },
      },
      parent,
    );
    sshCidrs.forEach((cidr, i) =>
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-ssh-${i + 1}`,
        { securityGroupId: this.securityGroup.id, ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: cidr, description: `SSH from office range ${cidr}` },
        parent,
      ),
    );
    // The office over the VPN: one rule per CIDR and port, named by range and port rather than
    // position, so removing or reordering an office range leaves the other ranges' rules alone
    // (by position, rule 1 would be rewritten to the range rule 2 still holds, and AWS refuses a
    // duplicate rule). The positional names they first had are aliases.
    const officePorts = [...new Set(args.officePorts ?? [22])].sort((a, b) => a - b);
    (args.officeCidrs ?? []).forEach((cidr, i) =>
      officePorts.forEach((port) =>
        new aws.vpc.SecurityGroupIngressRule(
          `${name}-office-${cidr.replace(/[./]/g, "-")}-${port}`,
          { securityGroupId: this.securityGroup.id, ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv4: cidr, description: `Port ${port} from office range ${cidr} over the site-to-site VPN` },
          { parent: this, aliases: [{ name: `${name}-office-${i + 1}-${port}` }] },
        ),
      ),
    );
    // HTTPS out: the SSM agent's channel, and package repositories. Database access to peered
    // environments is added by those environments' stacks, port by port.
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-https-out`,
      { securityGroupId: this.securityGroup.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", description: "HTTPS to Session Manager and package repositories" },
      parent,
    );

    const { role, profile } = ssmInstanceProfile(name, this);

    const template = new aws.ec2.LaunchTemplate(
      `${name}-lt`,
      {
        description: `Bastion ${name}; replaced, never patched in place`,
        imageId: amazonLinux2023Arm64(parent),
        instanceType: args.instanceType ?? DEFAULT_BASTION_INSTANCE_TYPE,
        iamInstanceProfile: { arn: profile.arn },
        updateDefaultVersion: true,
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
        blockDeviceMappings: [
          {
            deviceName: "/dev/xvda",
            ebs: { encrypted: "true", volumeType: "gp3", volumeSize: args.volumeSize ?? DEFAULT_BASTION_VOLUME_GIB, deleteOnTermination: "true" },
          },
        ],
        networkInterfaces: [
          {
            associatePublicIpAddress: ssh ? "true" : "false",
            securityGroups: [this.securityGroup.id],
            deleteOnTermination: "true",
          },
        ],
        monitoring: { enabled: false },
        tagSpecifications: [
          { resourceType: "instance", tags: { ...args.instanceTags, Name: name, Role: "bastion" } },
          { resourceType: "volume", tags: { ...args.instanceTags, Name: name, Role: "bastion" } },
        ],
        tags: { Name: `${name}-lt` },
      },
      parent,
    );

    const group = new aws.autoscaling.Group(
      `${name}-asg`,
      {
        minSize: 1,
        maxSize: 1,
        desiredCapacity: 1,
        vpcZoneIdentifiers: ssh ? args.publicSubnetIds : args.privateSubnetIds,
        healthCheckType: "EC2",
        healthCheckGracePeriod: 60,
        launchTemplate: { id: template.id, version: template.latestVersion.apply((v) => String(v)) },
        // A new template version rolls the single instance: terminate, then launch the new one.
        instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 0 } },
        tags: Object.entries({ ...args.instanceTags, Name: name }).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
      },
      parent,
    );

    this.securityGroupId = this.securityGroup.id;
    this.autoScalingGroupName = group.name;
    this.launchTemplateId = template.id;
    this.roleArn = role.arn;
    this.roleName = role.name;
    this.registerOutputs({
      securityGroupId: this.securityGroupId,
      autoScalingGroupName: this.autoScalingGroupName,
      launchTemplateId: this.launchTemplateId,
      roleArn: this.roleArn,
      roleName: this.roleName,
    });
  }
}
