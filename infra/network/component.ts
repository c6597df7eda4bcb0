import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { amazonLinux2023Arm64 } from "../shared/ami";
import { serviceTrustPolicy, ssmInstanceProfile } from "../shared/iam";
import { flowLogDeliveryPolicy } from "../shared/policy-documents";
import { DEFAULT_NAT_INSTANCE_TYPE, InterfaceEndpoint, NatStrategy } from "./config";
import { NaclRule, OfficeNaclIntent, naclRuleKey, planNaclRules } from "./nacl";
import { networkAclRule } from "./nacl-rule";
import { NetworkPlan, TIERS, Tier, planNetwork, subnetsOf } from "./plan";

export interface VpcArgs {
  /** The VPC CIDR (validated by config: RFC 1918, /16–/23). */
  readonly cidr: string;
  /** How many AZs the tiers span. Decides how many subnets exist, so a plain value. */
  readonly azCount: number;
  /** AZ names; @default - the first `azCount` AZs `aws.getAvailabilityZones` returns */
  readonly availabilityZones?: readonly string[];
  /** See the NAT strategy table in ./config.ts. */
  readonly natStrategy: NatStrategy;
  /** @default "t4g.nano" */
  readonly natInstanceType?: string;
  readonly region: string;
  readonly flowLogRetentionDays: number;
  readonly flowLogTrafficType: "ALL" | "ACCEPT" | "REJECT";
  /** Customer-managed key for the flow-log group (the environment's logs key). @default - AWS-owned key */
  readonly flowLogKmsKeyArn?: pulumi.Input<string>;
  /** The environment's log-group namespace; the flow-log group is `<prefix>/vpc-flow-logs`. @default `/platform/<name>` */
  readonly logGroupPrefix?: string;
  /** @default [] */
  readonly interfaceEndpoints?: readonly InterfaceEndpoint[];
  /** Container ports the ALB forwards to (private-tier NACL). @default [] */
  readonly servicePorts?: readonly number[];
  /** Database port of the isolated tier. @default 5432 */
  readonly databasePort?: number;
  /** Session store port of the isolated tier (platform:cache). @default - no cache rules */
  readonly cachePort?: number;
  /** Management VPC CIDRs allowed into the private and isolated tiers (peering). @default [] */
  readonly managementCidrs?: readonly string[];
  /** Office CIDRs allowed to SSH to a public bastion. @default [] */
  readonly sshSourceCidrs?: readonly string[];
  /** The office VPN's NACL entries (management VPC; infra/vpn). @default - none */
  readonly office?: OfficeNaclIntent;
}

export const DEFAULT_DATABASE_PORT = 5432;
/** Ports the NAT instance forwards: what the private tier's ACL lets out to the internet (nacl.ts). */
export const NAT_INSTANCE_PORTS = [443] as const;

type PerTier<T> = Record<Tier, T>;

/**
 * A VPC with public, private (application) and isolated (data) tiers across N AZs.
 *
 * Children (logical names derive from `name`; they are a contract, renames need aliases):
 * `<name>-vpc`, `<name>-<tier>-<az>` subnets, `<name>-igw`, `<name>-<tier>` route tables and NACLs,
 * `<name>-nat-<az>` NAT gateways and EIPs (or `<name>-nat-instance`), `<name>-flow-logs`,
 * `<name>-default` (the adopted default security group), `<name>-s3` endpoint.
 *
 * Routing invariants: the public table routes 0.0.0.0/0 to the internet gateway; each private
 * table (one per AZ) routes 0.0.0.0/0 to its NAT (own AZ's for `perAz`); the isolated table has
 * no route beyond the VPC at all.
 */
export class Vpc extends pulumi.ComponentResource {
  public readonly vpcId: pulumi.Output<string>;
  public readonly vpcCidr: pulumi.Output<string>;
  public readonly availabilityZones: pulumi.Output<string[]>;
  public readonly publicSubnetIds: pulumi.Output<string[]>;
  public readonly privateSubnetIds: pulumi.Output<string[]>;
  public readonly isolatedSubnetIds: pulumi.Output<string[]>;
  public readonly publicRouteTableIds: pulumi.Output<string[]>;
  public readonly privateRouteTableIds: pulumi.Output<string[]>;
  public readonly isolatedRouteTableIds: pulumi.Output<string[]>;
  public readonly networkAclIds: pulumi.Output<PerTier<string>>;
  public readonly tierCidrs: PerTier<string>;
  public readonly natGatewayIds: pulumi.Output<string[]>;
  public readonly flowLogGroupName: pulumi.Output<string>;

  /** Resources other components attach to (kept typed, not just ids). */
  public readonly vpc: aws.ec2.Vpc;
  public readonly subnets: PerTier<aws.ec2.Subnet[]>;
  public readonly routeTables: PerTier<aws.ec2.RouteTable[]>;
  public readonly networkAcls: PerTier<aws.ec2.NetworkAcl>;

  constructor(name: string, args: VpcArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("platform:network:Vpc", name, {}, opts);
    const parent = { parent: this };
    const plan = planNetwork(args.cidr, args.azCount);
    this.tierCidrs = plan.tierCidrs;

    const azNames: pulumi.Output<string[]> = args.availabilityZones
      ? pulumi.output(args.availabilityZones.slice(0, args.azCount) as string[])
      : aws
          .getAvailabilityZonesOutput({ state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] }, parent)
          .apply((azs) => azs.names.slice(0, args.azCount));

    this.vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      { cidrBlock: args.cidr, enableDnsSupport: true, enableDnsHostnames: true, tags: { Name: name } },
      parent,
    );
    const vpcId = this.vpc.id;

    // Subnets. Nothing auto-assigns public IPs, not even the public tier: the ALB and NAT gateways
    // get theirs from AWS, and an instance that needs one asks for it explicitly.
    const subnets = {} as PerTier<aws.ec2.Subnet[]>;
    for (const tier of TIERS) {
      subnets[tier] = subnetsOf(plan, tier).map(
        (s) =>
          new aws.ec2.Subnet(
            `${name}-${tier}-${s.azIndex + 1}`,
            {
              vpcId,
              cidrBlock: s.cidr,
              availabilityZone: azNames.apply((azs) => azs[s.azIndex]),
              mapPublicIpOnLaunch: false,
              tags: { Name: `${name}-${tier}-${s.azIndex + 1}`, Tier: tier },
            },
            parent,
          ),
      );
    }
    this.subnets = subnets;

    const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId, tags: { Name: `${name}-igw` } }, parent);

    // Route tables: one public, one private per AZ (so per-AZ NAT routing never needs a rename),
    // one isolated.
    const table = (logical: string, tier: Tier) =>
      new aws.ec2.RouteTable(logical, { vpcId, tags: { Name: logical, Tier: tier } }, parent);
    const publicTable = table(`${name}-public`, "public");
    const privateTables = subnets.private.map((_, az) => table(`${name}-private-${az + 1}`, "private"));
    const isolatedTable = table(`${name}-isolated`, "isolated");
    this.routeTables = { public: [publicTable], private: privateTables, isolated: [isolatedTable] };

    new aws.ec2.Route(`${name}-public-default`, { routeTableId: publicTable.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id }, parent);
    subnets.public.forEach((s, az) =>
      new aws.ec2.RouteTableAssociation(`${name}-public-${az + 1}`, { subnetId: s.id, routeTableId: publicTable.id }, parent),
    );
    subnets.private.forEach((s, az) =>
      new aws.ec2.RouteTableAssociation(`${name}-private-${az + 1}`, { subnetId: s.id, routeTableId: privateTables[az].id }, parent),
    );
    subnets.isolated.forEach((s, az) =>
      new aws.ec2.RouteTableAssociation(`${name}-isolated-${az + 1}`, { subnetId: s.id, routeTableId: isolatedTable.id }, parent),
    );

    // NAT.
    const natGateways: aws.ec2.NatGateway[] = [];
    if (args.natStrategy === "single" || args.natStrategy === "perAz") {
      const count = args.natStrategy === "single" ? 1 : args.azCount;
      for (let az = 0; az < count; az++) {
        const eip = new aws.ec2.Eip(`${name}-nat-${az + 1}`, { domain: "vpc", tags: { Name: `${name}-nat-${az + 1}` } }, parent);
        natGateways.push(
          new aws.ec2.NatGateway(
            `${name}-nat-${az + 1}`,
            { allocationId: eip.id, subnetId: subnets.public[az].id, connectivityType: "public", tags: { Name: `${name}-nat-${az + 1}` } },
            { parent: this, dependsOn: [igw] },
          ),
        );
      }
      privateTables.forEach((rt, az) =>
        new aws.ec2.Route(
          `${name}-private-${az + 1}-default`,
          { routeTableId: rt.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: natGateways[args.natStrategy === "perAz" ? az : 0].id },
          parent,
        ),
      );
    } else if (args.natStrategy === "instance") {
      const nat = this.natInstance(name, args, vpcId, subnets.public[0], plan, igw);
      privateTables.forEach((rt, az) =>
        new aws.ec2.Route(
          `${name}-private-${az + 1}-default`,
          { routeTableId: rt.id, destinationCidrBlock: "0.0.0.0/0", networkInterfaceId: nat.primaryNetworkInterfaceId },
          parent,
        ),
      );
    }
    // natStrategy "none": private tables keep only the local route (plus endpoints).

    // Network ACLs, one per tier, rules from the pure planner.
    const rules = planNaclRules({
      vpcCidr: args.cidr,
      tierCidrs: plan.tierCidrs,
      servicePorts: args.servicePorts ?? [],
      databasePort: args.databasePort ?? DEFAULT_DATABASE_PORT,
      ...(args.cachePort !== undefined ? { cachePort: args.cachePort } : {}),
      managementCidrs: args.managementCidrs ?? [],
      sshSourceCidrs: args.sshSourceCidrs ?? [],
      interfaceEndpoints: (args.interfaceEndpoints ?? []).length > 0,
      ...(args.office ? { office: args.office } : {}),
    });
    const acls = {} as PerTier<aws.ec2.NetworkAcl>;
    for (const tier of TIERS) {
      acls[tier] = new aws.ec2.NetworkAcl(`${name}-${tier}`, { vpcId, tags: { Name: `${name}-${tier}`, Tier: tier } }, parent);
      subnets[tier].forEach((s, az) =>
        new aws.ec2.NetworkAclAssociation(`${name}-${tier}-${az + 1}`, { networkAclId: acls[tier].id, subnetId: s.id }, parent),
      );
    }
    rules.forEach((r: NaclRule) => networkAclRule(`${name}-${naclRuleKey(r)}`, r, acls[r.tier].id, parent));
    this.networkAcls = acls;

    // The default security group: adopted and stripped, so nothing can fall back to its
    // allow-all-from-itself rules (Security Hub EC2.2, CIS 5.4).
    new aws.ec2.DefaultSecurityGroup(`${name}-default`, { vpcId, ingress: [], egress: [], tags: { Name: `${name}-default-do-not-use` } }, parent);

    const flowLogGroup = this.flowLogs(name, args, vpcId);

    // S3 gateway endpoint: free, and keeps ECR layer pulls (served from S3) off the NAT's per-GB bill.
    new aws.ec2.VpcEndpoint(
      `${name}-s3`,
      {
        vpcId,
        serviceName: `com.amazonaws.${args.region}.s3`,
        vpcEndpointType: "Gateway",
        routeTableIds: [...privateTables.map((t) => t.id), isolatedTable.id],
        tags: { Name: `${name}-s3` },
      },
      parent,
    );
    this.interfaceEndpoints(name, args, vpcId, subnets.private);

    this.vpcId = vpcId;
    this.vpcCidr = this.vpc.cidrBlock;
    this.availabilityZones = azNames;
    this.publicSubnetIds = pulumi.all(subnets.public.map((s) => s.id));
    this.privateSubnetIds = pulumi.all(subnets.private.map((s) => s.id));
    this.isolatedSubnetIds = pulumi.all(subnets.isolated.map((s) => s.id));
    this.publicRouteTableIds = pulumi.all([publicTable.id]);
    this.privateRouteTableIds = pulumi.all(privateTables.map((t) => t.id));
    this.isolatedRouteTableIds = pulumi.all([isolatedTable.id]);
    this.networkAclIds = pulumi
      .all([acls.public.id, acls.private.id, acls.isolated.id])
      .apply(([pub, priv, iso]) => ({ public: pub, private: priv, isolated: iso }));
    this.natGatewayIds = pulumi.all(natGateways.map((n) => n.id));
    this.flowLogGroupName = flowLogGroup.name;

    this.registerOutputs({
      vpcId: this.vpcId,
      vpcCidr: this.vpcCidr,
      availabilityZones: this.availabilityZones,
      publicSubnetIds: this.publicSubnetIds,
      privateSubnetIds: this.privateSubnetIds,
      isolatedSubnetIds: this.isolatedSubnetIds,
      publicRouteTableIds: this.publicRouteTableIds,
      privateRouteTableIds: this.privateRouteTableIds,
      isolatedRouteTableIds: this.isolatedRouteTableIds,
      networkAclIds: this.networkAclIds,
      tierCidrs: this.tierCidrs,
      natGatewayIds: this.natGatewayIds,
      flowLogGroupName: this.flowLogGroupName,
    });
  }

  /**
   * A NAT instance for cheap environments: ~4 USD/month against ~43 for a NAT gateway, at the
   * price of no HA and a box to replace when its AMI ages (the AMI lookup does that on `up`).
   * Source/destination check off is what lets it forward; its security group admits exactly what
   * the private tier's NACL lets out: HTTPS. (It used to admit HTTP too, a port no packet from the
   * private tier could ever reach it on; `platform reach` shows the private ACL's egress drops it.)
   */
  private natInstance(
    name: string,
    args: VpcArgs,
    vpcId: pulumi.Output<string>,
    subnet: aws.ec2.Subnet,
    plan: NetworkPlan,
    igw: aws.ec2.InternetGateway,
  ): aws.ec2.Instance {
    const parent = { parent: this };
    const sg = new aws.ec2.SecurityGroup(
      `${name}-nat-instance`,
      // The description still says HTTP(S): it is immutable in AWS, and changing it would replace
      // the group (and touch the instance) for no change in traffic.
      { vpcId, description: `NAT instance of ${name}: forwards the private tier's HTTP(S) to the internet`, tags: { Name: `${name}-nat-instance` } },
      parent,
    );
    for (const port of NAT_INSTANCE_PORTS) {
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-nat-instance-in-${port}`,
        { securityGroupId: sg.id, ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv4: plan.tierCidrs.private, description: `Port ${port} from the private tier, to be forwarded` },
        parent,
      );
      new aws.vpc.SecurityGroupEgressRule(
        `${name}-nat-instance-out-${port}`,
        { securityGroupId: sg.id, ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv4: "0.0.0.0/0", description: `Forwarded port ${port} to the internet` },
        parent,
      );
    }
    const { profile } = ssmInstanceProfile(`${name}-nat-instance`, this);
    const userData = [
      "#!/bin/bash",
      "set -euo pipefail",
      "dnf install -y iptables-services",
      "echo 'net.ipv4.ip_forward = 1' > /etc/sysctl.d/90-nat.conf",
      "sysctl --system",
      "iface=$(ip route show default | awk '{print $5; exit}')",
      "iptables -F FORWARD",
      `iptables -t nat -A POSTROUTING -o "$iface" -s ${args.cidr} -j MASQUERADE`,
      "iptables-save > /etc/sysconfig/iptables",
      "systemctl enable --now iptables",
      "",
    ].join("\n");
    return new aws.ec2.Instance(
      `${name}-nat-instance`,
      {
        ami: amazonLinux2023Arm64(parent),
        instanceType: args.natInstanceType ?? DEFAULT_NAT_INSTANCE_TYPE,
        subnetId: subnet.id,
        associatePublicIpAddress: true,
        sourceDestCheck: false,
        vpcSecurityGroupIds: [sg.id],
        iamInstanceProfile: profile.name,
        userData,
        // Immutable: a changed script means a new instance, not a drifted one.
        userDataReplaceOnChange: true,
        metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1, httpEndpoint: "enabled" },
        rootBlockDevice: { encrypted: true, volumeType: "gp3", volumeSize: 8, deleteOnTermination: true },
        monitoring: false,
        tags: { Name: `${name}-nat-instance`, Role: "nat" },
      },
      { parent: this, dependsOn: [igw] },
    );
  }

  /** VPC flow logs to a pre-created log group (with retention), through a least-privilege role. */
  private flowLogs(name: string, args: VpcArgs, vpcId: pulumi.Output<string>): aws.cloudwatch.LogGroup {
    const parent = { parent: this };
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-flow-logs`,
      {
        name: `${args.logGroupPrefix ?? `/platform/${name}`}/vpc-flow-logs`,
        retentionInDays: args.flowLogRetentionDays,
        kmsKeyId: args.flowLogKmsKeyArn,
        tags: { Name: `${name}-flow-logs` },
      },
      parent,
    );
    const account = aws.getCallerIdentityOutput({}, parent).accountId;
    const role = new aws.iam.Role(
      `${name}-flow-logs`,
      {
        description: `Lets VPC Flow Logs of ${name} write to its log group, and nothing else.`,
        // aws:SourceAccount guards against the confused-deputy problem.
        assumeRolePolicy: account.apply((acct) =>
          serviceTrustPolicy("vpc-flow-logs.amazonaws.com", { StringEquals: { "aws:SourceAccount": acct } }),
        ),
      },
      parent,
    );
    new aws.iam.RolePolicy(
      `${name}-flow-logs`,
      {
        role: role.id,
        policy: logGroup.arn.apply((arn) => JSON.stringify(flowLogDeliveryPolicy(arn))),
      },
      parent,
    );
    new aws.ec2.FlowLog(
      `${name}-flow-logs`,
      {
        vpcId,
        trafficType: args.flowLogTrafficType,
        logDestinationType: "cloud-watch-logs",
        logDestination: logGroup.arn,
        iamRoleArn: role.arn,
        maxAggregationInterval: 60,
        tags: { Name: `${name}-flow-logs` },
      },
      parent,
    );
    return logGroup;
  }

  /**
   * Interface endpoints in the private tier (one ENI per AZ, each billed hourly). They keep
   * image pulls, logs and secrets traffic off the NAT path, and make `natStrategy: none` viable.
   */
  private interfaceEndpoints(name: string, args: VpcArgs, vpcId: pulumi.Output<string>, privateSubnets: aws.ec2.Subnet[]): void {
    const services = args.interfaceEndpoints ?? [];
    if (services.length === 0) return;
    const parent = { parent: this };
    const sg = new aws.ec2.SecurityGroup(
      `${name}-endpoints`,
      { vpcId, description: `Interface endpoints of ${name}: HTTPS from inside the VPC`, tags: { Name: `${name}-endpoints` } },
      parent,
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-endpoints-in-443`,
      { securityGroupId: sg.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: args.cidr, description: "HTTPS from the VPC to AWS APIs" },
      parent,
    );
    for (const service of services) {
      const logical = `${name}-${service.replace(/\./g, "-")}`;
      new aws.ec2.VpcEndpoint(
        logical,
        {
          vpcId,
          serviceName: `com.amazonaws.${args.region}.${service}`,
          vpcEndpointType: "Interface",
          privateDnsEnabled: true,
          subnetIds: privateSubnets.map((s) => s.id),
          securityGroupIds: [sg.id],
          tags: { Name: logical },
        },
        parent,
      );
    }
  }
}
