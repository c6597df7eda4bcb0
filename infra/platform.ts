import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Bastion } from "./bastion";
import { PlatformConfig } from "./config";
import { Vpc } from "./network";
import { baseTags } from "./tags";

/**
 * Builds one environment from its validated config. Every environment runs this same code; they
 * differ only in the values of environments/Pulumi.<stack>.yaml.
 *
 * Returns the stack outputs. The network outputs are a contract: environment stacks read the
 * shared stack's `vpcId`, `vpcCidr`, `*RouteTableIds`, `networkAclIds` and
 * `bastionSecurityGroupId` through a StackReference to peer with it.
 */
export function buildPlatform(config: PlatformConfig): Record<string, pulumi.Output<unknown> | unknown> {
  const tags = baseTags(config);
  // One explicit provider for the whole stack: region and default tags in one place, handed to
  // every component through `providers` so children inherit it.
  const provider = new aws.Provider("aws", { region: config.region, defaultTags: { tags } });
  const opts: pulumi.ComponentResourceOptions = { providers: [provider] };

  const name = config.stack;
  const network = new Vpc(
    name,
    {
      cidr: config.network.cidr,
      azCount: config.network.azCount,
      availabilityZones: config.network.availabilityZones,
      natStrategy: config.network.natStrategy,
      natInstanceType: config.network.natInstanceType,
      region: config.region,
      flowLogRetentionDays: config.network.flowLogs.retentionDays,
      flowLogTrafficType: config.network.flowLogs.trafficType,
      interfaceEndpoints: config.network.interfaceEndpoints,
      sshSourceCidrs: config.bastion.enabled ? config.bastion.sshCidrs : [],
    },
    opts,
  );

  let bastion: Bastion | undefined;
  if (config.bastion.enabled) {
    bastion = new Bastion(
      `${name}-bastion`,
      {
        vpcId: network.vpcId,
        privateSubnetIds: network.privateSubnetIds,
        publicSubnetIds: network.publicSubnetIds,
        instanceType: config.bastion.instanceType,
        volumeSize: config.bastion.volumeSize,
        sshCidrs: config.bastion.sshCidrs,
        instanceTags: tags,
      },
      opts,
    );
  }

  return {
    region: config.region,
    vpcId: network.vpcId,
    vpcCidr: network.vpcCidr,
    availabilityZones: network.availabilityZones,
    publicSubnetIds: network.publicSubnetIds,
    privateSubnetIds: network.privateSubnetIds,
    isolatedSubnetIds: network.isolatedSubnetIds,
    publicRouteTableIds: network.publicRouteTableIds,
    privateRouteTableIds: network.privateRouteTableIds,
    isolatedRouteTableIds: network.isolatedRouteTableIds,
    networkAclIds: network.networkAclIds,
    tierCidrs: network.tierCidrs,
    natGatewayIds: network.natGatewayIds,
    bastionSecurityGroupId: bastion ? bastion.securityGroupId : undefined,
  };
}
