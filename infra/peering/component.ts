import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_DATABASE_PORT } from "../network/component";
import { naclRuleKey } from "../network/nacl";
import { networkAclRule } from "../network/nacl-rule";
import { Tier } from "../network/plan";
import {
  DEFAULT_MANAGEMENT_TIERS,
  DEFAULT_MANAGEMENT_TO,
  DEFAULT_TO_MANAGEMENT,
  DEFAULT_TO_MANAGEMENT_PORTS,
  PeerConfig,
  peerName,
  peerProviderRoleArn,
} from "./config";
import { PeeringMode, canReferencePeerSecurityGroups, peeringMode, planPeering } from "./plan";
import { ManagementStack } from "./shared-stack";

export interface ManagementPeeringArgs {
  /** This environment's stack name; names the environment side of the children. */
  readonly environmentName: string;
  /** This stack's region. */
  readonly region: string;
  readonly vpcId: pulumi.Input<string>;
  readonly vpcCidr: string;
  readonly tierCidrs: Readonly<Record<Tier, string>>;
  /** The environment's route tables per tier. A plain list: its length decides how many routes exist. */
  readonly routeTableIds: Readonly<Record<Tier, readonly pulumi.Input<string>[]>>;
  readonly networkAclIds: Readonly<Record<Tier, pulumi.Input<string>>>;
  /** The management stack's outputs, already read and checked (see ./shared-stack.ts). */
  readonly management: ManagementStack;
  /** The management peer's config entry (stack, cidr, accepter). */
  readonly peer: PeerConfig;
  /** This environment's slot in the management NACLs' 400–499 range. */
  readonly ruleSlot: number;
  /** Environment tiers the management VPC reaches. @default ["private", "isolated"] */
  readonly managementTo?: readonly Tier[];
  /** Environment tiers that reach the management VPC. @default ["private"] */
  readonly toManagement?: readonly Tier[];
  /** Management tiers that route to this environment. @default ["private"] */
  readonly managementTiers?: readonly Tier[];
  /** Ports the `toManagement` tiers open to the management VPC. @default [443] */
  readonly toManagementPorts?: readonly number[];
  /** The environment's service ports; must equal the Vpc's `servicePorts`. @default [] */
  readonly servicePorts?: readonly number[];
  /** The environment's database port; must equal the Vpc's `databasePort`. @default 5432 */
  readonly databasePort?: number;
  /** @default false */
  readonly allowRemoteVpcDnsResolution?: boolean;
  /** Default tags of the provider that writes the peer side when it is another account or region. @default {} */
  readonly peerProviderTags?: Readonly<Record<string, string>>;
  /**
   * A read-only preview (`isReadOnlyPreview()` in ./config.ts): the peer provider assumes the
   * accepter's `previewRoleArn` when it has one, instead of `roleArn`.
   * @default false
   */
  readonly readOnlyPreview?: boolean;
}

/**
 * The peering between one environment VPC and the management VPC, with everything both sides
 * need, all created by the environment's stack:
 *
 * - `<name>-connection`: the VPC peering connection (requester: the environment), plus
 *   `<name>-accepter` and the `<name>-peer` provider when the management VPC is in another
 *   account or region (see `PeeringMode`);
 * - `<name>-<env>-<tier>-<n>`: routes to the management CIDR in the environment's route tables;
 * - `<name>-<mgmt>-<tier>-<n>`: routes to the environment CIDR in the management route tables;
 * - `<name>-<env|mgmt>-<tier>-<in|out>-<number>`: NACL entries (numbers from ./plan.ts);
 * - `<name>-bastion-database`: egress on the management bastion's security group to this
 *   environment's database port, by CIDR (the rule lives in the management VPC, whose security
 *   group cannot name this stack's groups before the connection exists).
 *
 * Invariants: exactly one connection; every route through it names the peer's exact CIDR, never
 * 0.0.0.0/0; nothing names another environment's range (peering is not transitive, so two
 * environments peered with the management VPC still cannot reach each other).
 */
export class ManagementPeering extends pulumi.ComponentResource {
  public readonly peeringConnectionId: pulumi.Output<string>;
  /** The management VPC's CIDR: the fallback source for rules when groups cannot be referenced. */
  public readonly managementCidr: string;
  /**
   * How this environment's security groups reference the management bastion's group (plain id,
   * or `<account>/<id>` across accounts); resolves once the connection is active. Undefined across
   * regions (AWS cannot reference groups there; use `managementCidr`) or without a bastion.
   */
  public readonly bastionSecurityGroupReference: pulumi.Output<string> | undefined;
  public readonly mode: PeeringMode;
  public readonly connection: aws.ec2.VpcPeeringConnection;

  constructor(name: string, args: ManagementPeeringArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("platform:peering:ManagementPeering", name, {}, opts);
    const mgmt = args.management;
    const env = args.environmentName;
    const mgmtName = peerName(args.peer);
    const plan = planPeering({
      environment: { vpcCidr: args.vpcCidr, tierCidrs: args.tierCidrs },
      management: { vpcCidr: mgmt.vpcCidr, tierCidrs: mgmt.tierCidrs },
      managementTo: args.managementTo ?? DEFAULT_MANAGEMENT_TO,
      toManagement: args.toManagement ?? DEFAULT_TO_MANAGEMENT,
      managementTiers: args.managementTiers ?? DEFAULT_MANAGEMENT_TIERS,
      toManagementPorts: args.toManagementPorts ?? DEFAULT_TO_MANAGEMENT_PORTS,
      servicePorts: args.servicePorts ?? [],
      databasePort: args.databasePort ?? DEFAULT_DATABASE_PORT,
      ruleSlot: args.ruleSlot,
    });
    const accepterConfig = args.peer.accepter;
    const mode = peeringMode(accepterConfig, args.region);
    this.mode = mode;
    const peerRegion = accepterConfig?.region ?? args.region;
    const tagName = `${env}-${mgmtName}`;
    const peerRoleArn = peerProviderRoleArn(accepterConfig, args.readOnlyPreview ?? false);

    // The peer side lives in another account or region: write it through a provider there.
    const peerProvider =
      mode === "sameAccountSameRegion"
        ? undefined
        : new aws.Provider(
            `${name}-peer`,
            {
              region: peerRegion,
              // The provider assumes its role whenever it is configured, in a preview too: a
              // read-only preview's credentials may assume only the read-only previewRoleArn.
              assumeRoles: peerRoleArn ? [{ roleArn: peerRoleArn, sessionName: `platform-${env}-peering` }] : undefined,
              // The assumed role must land in the peer's account, never elsewhere.
              allowedAccountIds: mode === "crossAccount" && accepterConfig?.ownerId ? [accepterConfig.ownerId] : undefined,
              defaultTags: { tags: { ...(args.peerProviderTags ?? {}) } },
            },
            { parent: this },
          );

    this.connection = new aws.ec2.VpcPeeringConnection(
      `${name}-connection`,
      {
        vpcId: args.vpcId,
        peerVpcId: mgmt.vpcId,
        // AWS accepts automatically only within one account and region; otherwise the accepter
        // resource below accepts on the peer's side.
        autoAccept: mode === "sameAccountSameRegion",
        peerOwnerId: mode === "crossAccount" ? accepterConfig?.ownerId : undefined,
        peerRegion: peerRegion !== args.region ? peerRegion : undefined,
        tags: { Name: tagName, Side: "requester" },
      },
      { parent: this },
    );
    const accepter = peerProvider
      ? new aws.ec2.VpcPeeringConnectionAccepter(
          `${name}-accepter`,
          { vpcPeeringConnectionId: this.connection.id, autoAccept: true, tags: { Name: tagName, Side: "accepter" } },
          { parent: this, provider: peerProvider },
        )
      : undefined;
    // Routes, options and group references need an active connection: after the acceptance.
    const active: pulumi.CustomResource = accepter ?? this.connection;
    const local: pulumi.CustomResourceOptions = { parent: this, dependsOn: [active] };
    const remote: pulumi.CustomResourceOptions = peerProvider ? { ...local, provider: peerProvider } : local;
    const pcx = this.connection.id;

    for (const route of plan.environmentRoutes) {
      args.routeTableIds[route.tier].forEach(
        (routeTableId, i) =>
          new aws.ec2.Route(
            `${name}-${env}-${route.tier}-${i + 1}`,
            { routeTableId, destinationCidrBlock: route.destinationCidrBlock, vpcPeeringConnectionId: pcx },
            local,
          ),
      );
    }
    for (const route of plan.managementRoutes) {
      mgmt.routeTableIds[route.tier].forEach(
        (routeTableId, i) =>
          new aws.ec2.Route(
            `${name}-${mgmtName}-${route.tier}-${i + 1}`,
            { routeTableId, destinationCidrBlock: route.destinationCidrBlock, vpcPeeringConnectionId: pcx },
            remote,
          ),
      );
    }

    // NACL entries do not need the connection, only the NACLs: no dependsOn.
    plan.environmentNaclRules.forEach((r) => networkAclRule(`${name}-${env}-${naclRuleKey(r)}`, r, args.networkAclIds[r.tier], { parent: this }));
    plan.managementNaclRules.forEach((r) =>
      networkAclRule(`${name}-${mgmtName}-${naclRuleKey(r)}`, r, mgmt.networkAclIds[r.tier], peerProvider ? { parent: this, provider: peerProvider } : { parent: this }),
    );

    if (plan.bastionEgress && mgmt.bastionSecurityGroupId) {
      const { port, cidr } = plan.bastionEgress;
      new aws.vpc.SecurityGroupEgressRule(
        `${name}-bastion-database`,
        {
          securityGroupId: mgmt.bastionSecurityGroupId,
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          cidrIpv4: cidr,
          description: `Database port ${port} to the isolated tier of ${env}, over VPC peering`,
          tags: { Name: `${name}-bastion-database` },
        },
        remote,
      );
    }

    if (args.allowRemoteVpcDnsResolution) {
      // Either side's option can only be set on an active connection, and each side's option by
      // that side's account: one resource in the same account and region, two otherwise.
      if (!peerProvider) {
        new aws.ec2.PeeringConnectionOptions(
          `${name}-dns`,
          { vpcPeeringConnectionId: pcx, requester: { allowRemoteVpcDnsResolution: true }, accepter: { allowRemoteVpcDnsResolution: true } },
          local,
        );
      } else {
        new aws.ec2.PeeringConnectionOptions(`${name}-dns-requester`, { vpcPeeringConnectionId: pcx, requester: { allowRemoteVpcDnsResolution: true } }, local);
        new aws.ec2.PeeringConnectionOptions(`${name}-dns-accepter`, { vpcPeeringConnectionId: pcx, accepter: { allowRemoteVpcDnsResolution: true } }, remote);
      }
    }

    const sg = mgmt.bastionSecurityGroupId;
    const reference =
      sg && canReferencePeerSecurityGroups(accepterConfig, args.region)
        ? mode === "crossAccount"
          ? `${accepterConfig?.ownerId}/${sg}`
          : sg
        : undefined;
    this.peeringConnectionId = pcx;
    this.managementCidr = mgmt.vpcCidr;
    this.bastionSecurityGroupReference = reference === undefined ? undefined : active.id.apply(() => reference);

    this.registerOutputs({
      peeringConnectionId: this.peeringConnectionId,
      managementCidr: this.managementCidr,
      bastionSecurityGroupReference: this.bastionSecurityGroupReference,
      mode: this.mode,
    });
  }
}
