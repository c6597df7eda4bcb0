import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { appNetworkIntents, buildAppTier } from "./app";
import { Bastion } from "./bastion";
import { PlatformConfig } from "./config";
import { masterSecretReadPolicy } from "./database";
import { Vpc } from "./network";
import { ManagementPeering, isReadOnlyPreview, peerName, resolveManagementPeer } from "./peering";
import { LogsKey, environmentLogGroupPrefix } from "./shared/logs-key";
import { baseTags } from "./tags";
import { OfficeVpn, officeCidrs } from "./vpn";

/**
 * Builds one environment from its validated config. Every environment runs this same code; they
 * differ only in the values of environments/Pulumi.<stack>.yaml.
 *
 * Returns the stack outputs. The network outputs are a contract: environment stacks read the
 * shared stack's `vpcId`, `vpcCidr`, `*RouteTableIds`, `networkAclIds` and
 * `bastionSecurityGroupId` through a StackReference to peer with it.
 */
export async function buildPlatform(config: PlatformConfig): Promise<Record<string, pulumi.Output<unknown> | unknown>> {
  // Peering: read the management stack and check it against this stack's config before anything
  // is created, so a missing output or a stale CIDR stops the run with nothing half-built.
  const peering = config.peering ? await resolveManagementPeer({ stack: config.stack, region: config.region, peering: config.peering }) : undefined;
  const tags = baseTags(config);
  // One explicit provider for the whole stack: region, default tags and the allowed accounts in one
  // place, handed to every component through `providers` so children inherit it. An explicit
  // provider reads none of the stack's `aws:*` config (only the default provider does; see
  // @pulumi/aws provider.js, which builds its inputs from `args` alone), so `aws:allowedAccountIds`
  // is passed here or it would guard nothing.
  const provider = new aws.Provider("aws", {
    region: config.region,
    defaultTags: { tags },
    ...(config.allowedAccountIds ? { allowedAccountIds: [...config.allowedAccountIds] } : {}),
  });
  const opts: pulumi.ComponentResourceOptions = { providers: [provider] };

  const name = config.stack;
  // Every log group of the environment lives under one prefix and is encrypted with one key.
  const logGroupPrefix = environmentLogGroupPrefix(config.project, config.stack);
  const logsKey = new LogsKey(`${name}-logs`, { region: config.region, logGroupPrefix }, opts);
  // The application tier's ports, so the NACLs (both sides of the peering too) admit exactly them.
  const appPorts = appNetworkIntents(config);
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
      flowLogKmsKeyArn: logsKey.keyArn,
      logGroupPrefix,
      flowLogTrafficType: config.network.flowLogs.trafficType,
      interfaceEndpoints: config.network.interfaceEndpoints,
      sshSourceCidrs: config.bastion.enabled ? config.bastion.sshCidrs : [],
      managementCidrs: peering ? [peering.management.vpcCidr] : [],
      servicePorts: appPorts.servicePorts,
      databasePort: appPorts.databasePort,
      // The office VPN's NACL entries (management stack only: config refuses platform:vpn elsewhere).
      ...(config.vpn ? { office: { cidrs: officeCidrs(config.vpn).map((o) => o.cidr), tiers: config.vpn.access.tiers, ports: config.vpn.access.ports } } : {}),
      cachePort: appPorts.cachePort,
    },
    opts,
  );

  // The management VPC peering, both sides written from here. Its servicePorts/databasePort must
  // equal the Vpc's (defaults today) so the two sides' NACL entries match.
  const managementPeering =
    config.peering && peering
      ? new ManagementPeering(
          `${name}-${peerName(peering.peer)}`,
          {
            environmentName: name,
            region: config.region,
            vpcId: network.vpcId,
            vpcCidr: config.network.cidr,
            tierCidrs: network.tierCidrs,
            routeTableIds: {
              public: network.routeTables.public.map((t) => t.id),
              private: network.routeTables.private.map((t) => t.id),
              isolated: network.routeTables.isolated.map((t) => t.id),
            },
            networkAclIds: { public: network.networkAcls.public.id, private: network.networkAcls.private.id, isolated: network.networkAcls.isolated.id },
            management: peering.management,
            peer: peering.peer,
            ruleSlot: config.peering.ruleSlot,
            managementTo: config.peering.managementTo,
            toManagement: config.peering.toManagement,
            managementTiers: config.peering.managementTiers,
            toManagementPorts: config.peering.toManagementPorts,
            allowRemoteVpcDnsResolution: config.peering.allowRemoteVpcDnsResolution,
            servicePorts: appPorts.servicePorts,
            databasePort: appPorts.databasePort,
            peerProviderTags: tags,
            readOnlyPreview: isReadOnlyPreview(),
          },
          opts,
        )
      : undefined;

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
        ...(config.vpn ? { officeCidrs: officeCidrs(config.vpn).map((o) => o.cidr), officePorts: config.vpn.access.ports } : {}),
        instanceTags: tags,
      },
      opts,
    );
  }

  // The office site-to-site VPN (docs/vpn.md): a gateway on this VPC, routes propagated only into
  // the tables of the tiers the office may reach.
  const vpn = config.vpn
    ? new OfficeVpn(
        `${name}-vpn`,
        {
          vpcId: network.vpcId,
          amazonSideAsn: config.vpn.amazonSideAsn,
          offices: config.vpn.offices,
          tunnel: config.vpn.tunnel,
          routeTableIds: Object.fromEntries(config.vpn.access.tiers.map((tier) => [tier, network.routeTables[tier].map((t) => t.id)])),
          logGroupPrefix,
          logsKmsKeyArn: logsKey.keyArn,
          logRetentionDays: config.vpn.logRetentionDays,
          alarmTopicArn: config.vpn.alarmTopicArn,
        },
        opts,
      )
    : undefined;

  // Application tier (ALB, ECS services, Aurora): built only from the sections a stack sets. The
  // database admits bastions by security-group reference. Only where AWS cannot reference a group
  // across the peering (another region) does it fall back to the management VPC's CIDR, on the
  // database port alone.
  const databaseAccess: Record<string, pulumi.Input<string>> = {};
  const databaseCidrAccess: Record<string, string> = {};
  if (bastion) databaseAccess.bastion = bastion.securityGroupId;
  if (managementPeering?.bastionSecurityGroupReference) databaseAccess["management-bastion"] = managementPeering.bastionSecurityGroupReference;
  else if (managementPeering && peering) databaseCidrAccess.management = peering.management.vpcCidr;
  const app = buildAppTier({ config, network, databaseAccess, databaseCidrAccess, logsKmsKeyArn: logsKey.keyArn, opts });

  // The master secret: besides the bootstrap task, only the bastions an operator reaches the
  // database from may read it (docs/database.md, "Operator access").
  if (app.database) {
    const policy = pulumi
      .all([app.database.masterUserSecretArn, app.database.kmsKeyArn])
      .apply(([secretArn, kmsKeyArn]) => JSON.stringify(masterSecretReadPolicy({ secretArn, kmsKeyArn, region: config.region })));
    if (bastion) {
      new aws.iam.RolePolicy(`${name}-bastion-db-secret`, { role: bastion.roleName, policy }, { parent: bastion });
    }
    // The management bastion's role lives in the shared stack; this stack writes its own inline
    // policy onto it (as the peering writes routes into the management VPC), so the grant exists
    // exactly as long as this database does. Only within one account: a role in another account
    // cannot be granted a secret here by an IAM policy alone (docs/database.md says what to do).
    const mgmtRole = peering?.management.bastionRoleName;
    if (mgmtRole !== undefined && managementPeering?.mode !== "crossAccount") {
      new aws.iam.RolePolicy(
        `${name}-management-bastion-db-secret`,
        { role: mgmtRole, name: `${config.project}-${name}-db-master-secret`, policy },
        { provider, dependsOn: app.database },
      );
    }
  }

  return definedOutputs({
    ...app.outputs,
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
    bastionRoleName: bastion ? bastion.roleName : undefined,
    // Environment stacks: the peering, and how their security groups (Aurora) admit the
    // management bastion: by group reference when AWS allows it, else by managementCidr.
    peeringConnectionId: managementPeering?.peeringConnectionId,
    managementCidr: managementPeering?.managementCidr,
    managementBastionSecurityGroupId: managementPeering?.bastionSecurityGroupReference,
    // The office VPN (management stack): what the deploy guide and the office's admin need, and
    // the office ranges environments' `platform reach` proves they do not admit.
    vpnGatewayId: vpn?.vpnGatewayId,
    vpnConnectionIds: vpn?.vpnConnectionIds,
    customerGatewayIds: vpn?.customerGatewayIds,
    vpnPresharedKeyArns: vpn?.presharedKeyArns,
    vpnTunnelAddresses: vpn?.tunnelAddresses,
    officeCidrs: config.vpn ? officeCidrs(config.vpn).map((o) => o.cidr) : undefined,
  });
}

/**
 * The outputs without the keys whose value is `undefined`. The SDK drops such a key anyway and
 * warns "Undefined value (<key>) will not show as a stack output" on every run
 * (@pulumi/pulumi runtime/stack.ts), so a stack that lacks a part (shared has no peering, the
 * environments no bastion) would print warnings on a clean run. A consumer reading an absent
 * output through a StackReference gets `undefined` either way; `requireOutput` fails loudly.
 */
export function definedOutputs<T extends Record<string, unknown>>(outputs: T): Partial<T> {
  return Object.fromEntries(Object.entries(outputs).filter(([, v]) => v !== undefined)) as Partial<T>;
}
