import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";

/**
 * Pulumi mocks that answer the way AWS would.
 *
 * Used by the component tests and by `platform plan`. Every answer is deterministic (derived from
 * the resource's URN, never from time or randomness) so plans are byte-identical, and
 * shaped like AWS's (`vpc-` + 17 hex digits, ARNs with the stack's region and account) so that
 * code which parses ids or ARNs is exercised for real. A mock that echoed `name-id` would let a
 * mistake such as passing a name where an ARN is required go unnoticed.
 */

export const MOCK_ACCOUNT_ID = "123456789012";

export interface MockOptions {
  readonly region: string;
  readonly accountId?: string;
  /**
   * Outputs of upstream stacks, keyed by the StackReference name the program uses
   * (`organization/platform/shared`). Filled from the upstream stack's own evaluation, never typed
   * by hand, so a change to an upstream output breaks the dependants' evaluation.
   */
  readonly stackOutputs?: Readonly<Record<string, Record<string, unknown>>>;
}

/** Physical-id prefixes AWS uses, by Pulumi type token. */
const ID_PREFIX: Record<string, string> = {
  "aws:ec2/vpc:Vpc": "vpc-",
  "aws:ec2/subnet:Subnet": "subnet-",
  "aws:ec2/internetGateway:InternetGateway": "igw-",
  "aws:ec2/natGateway:NatGateway": "nat-",
  "aws:ec2/eip:Eip": "eipalloc-",
  "aws:ec2/routeTable:RouteTable": "rtb-",
  "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc-",
  "aws:ec2/networkAcl:NetworkAcl": "acl-",
  "aws:ec2/securityGroup:SecurityGroup": "sg-",
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg-",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr-",
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr-",
  "aws:ec2/securityGroupRule:SecurityGroupRule": "sgrule-",
  "aws:ec2/instance:Instance": "i-",
  "aws:ec2/launchTemplate:LaunchTemplate": "lt-",
  "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce-",
  "aws:ec2/flowLog:FlowLog": "fl-",
  "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": "pcx-",
  "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter": "pcx-",
  "aws:ec2/networkInterface:NetworkInterface": "eni-",
  "aws:ec2/route:Route": "r-rtb-",
};

/** A version-4-shaped UUID derived from `seed` (provider ids are UUIDs in real state). */
export function uuidFrom(seed: string): string {
  const h = hex(seed, 32);
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function hex(seed: string, length: number): string {
  let out = "";
  let i = 0;
  while (out.length < length) {
    out += createHash("sha256").update(`${seed}#${i++}`).digest("hex");
  }
  return out.slice(0, length);
}

/** Short service name in ARNs for a type token `aws:<module>/<x>:<Type>`. */
function arnService(type: string): string {
  const mod = type.split(":")[1]?.split("/")[0] ?? "";
  switch (mod) {
    case "lb":
    case "alb":
      return "elasticloadbalancing";
    case "cloudwatch":
      return "logs";
    case "rds":
      return "rds";
    case "vpc":
      return "ec2";
    case "autoscaling":
      return "autoscaling";
    case "appautoscaling":
      return "application-autoscaling";
    default:
      return mod;
  }
}

export class AwsMocks implements pulumi.runtime.Mocks {
  readonly region: string;
  readonly accountId: string;
  readonly stackOutputs: Readonly<Record<string, Record<string, unknown>>>;

  constructor(options: MockOptions) {
    this.region = options.region;
    this.accountId = options.accountId ?? MOCK_ACCOUNT_ID;
    this.stackOutputs = options.stackOutputs ?? {};
  }

  /**
   * The physical id AWS would assign. Derived from the URN when the caller knows it (the harness
   * always passes it), so the same logical resource in two stacks or under two parents gets two
   * ids, as in AWS; otherwise from type and logical name.
   */
  physicalId(type: string, name: string, seed: string = `${type}::${name}`): string {
    const prefix = ID_PREFIX[type];
    if (prefix) return `${prefix}${hex(seed, 17)}`;
    if (type.startsWith("pulumi:providers:")) return uuidFrom(seed);
    return `${name}-${hex(seed, 8)}`;
  }

  newResource(args: pulumi.runtime.MockResourceArgs & { readonly urn?: string }): {
    id: string | undefined;
    state: Record<string, unknown>;
  } {
    const { type, name } = args;
    // Every derived value hangs off this seed: the engine URN when known (unique per stack and
    // parent chain), else type and name.
    const seed = args.urn ?? `${type}::${name}`;
    const inputs = args.inputs as Record<string, unknown>;
    const id = args.id && args.id !== "" ? args.id : this.physicalId(type, name, seed);
    const state: Record<string, unknown> = { ...inputs };
    const region = this.region;
    const account = this.accountId;
    const arn = (resource: string) => `arn:aws:${arnService(type)}:${region}:${account}:${resource}`;
    switch (type) {
      case "pulumi:pulumi:StackReference": {
        const refName = String(inputs.name ?? name);
        const outputs = this.stackOutputs[refName];
        if (!outputs) {
          throw new Error(
            `StackReference "${refName}" has no evaluated upstream stack. Evaluate the referenced stack ` +
              `first (see STACK_ORDER in infra/stacks.ts) and pass its outputs.`,
          );
        }
        return { id: refName, state: { name: refName, outputs, secretOutputNames: [] } };
      }
      case "aws:ec2/vpc:Vpc":
        Object.assign(state, {
          arn: arn(`vpc/${id}`),
          defaultSecurityGroupId: `sg-${hex(`${seed}::default-sg`, 17)}`,
          defaultNetworkAclId: `acl-${hex(`${seed}::default-acl`, 17)}`,
          defaultRouteTableId: `rtb-${hex(`${seed}::default-rtb`, 17)}`,
          mainRouteTableId: `rtb-${hex(`${seed}::default-rtb`, 17)}`,
          ownerId: account,
        });
        break;
      case "aws:ec2/subnet:Subnet":
        Object.assign(state, { arn: arn(`subnet/${id}`), ownerId: account });
        break;
      case "aws:ec2/eip:Eip": {
        const h = hex(`${seed}::ip`, 4);
        Object.assign(state, {
          allocationId: id,
          publicIp: `3.${parseInt(h.slice(0, 2), 16) % 250}.${parseInt(h.slice(2, 4), 16) % 250}.${(name.length * 7) % 250}`,
          domain: "vpc",
        });
        break;
      }
      case "aws:ec2/securityGroup:SecurityGroup":
      case "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":
        Object.assign(state, { arn: arn(`security-group/${id}`), ownerId: account });
        break;
      case "aws:ec2/instance:Instance":
        Object.assign(state, {
          arn: arn(`instance/${id}`),
          privateIp: `10.0.${parseInt(hex(seed, 2), 16) % 250}.10`,
          primaryNetworkInterfaceId: `eni-${hex(`${seed}::eni`, 17)}`,
        });
        break;
      case "aws:ec2/launchTemplate:LaunchTemplate":
        Object.assign(state, { arn: arn(`launch-template/${id}`), latestVersion: 1, defaultVersion: 1 });
        break;
      case "aws:iam/role:Role": {
        const roleName = (inputs.name as string | undefined) ?? id;
        Object.assign(state, {
          name: roleName,
          arn: `arn:aws:iam::${account}:role/${roleName}`,
          uniqueId: `AROA${hex(seed, 17).toUpperCase()}`,
        });
        return { id: roleName, state };
      }
      case "aws:iam/policy:Policy": {
        const policyName = (inputs.name as string | undefined) ?? id;
        Object.assign(state, { name: policyName, arn: `arn:aws:iam::${account}:policy/${policyName}` });
        return { id: state.arn as string, state };
      }
      case "aws:iam/instanceProfile:InstanceProfile": {
        const profileName = (inputs.name as string | undefined) ?? id;
        Object.assign(state, { name: profileName, arn: `arn:aws:iam::${account}:instance-profile/${profileName}` });
        return { id: profileName, state };
      }
      case "aws:cloudwatch/logGroup:LogGroup": {
        const groupName = (inputs.name as string | undefined) ?? id;
        Object.assign(state, { name: groupName, arn: `arn:aws:logs:${region}:${account}:log-group:${groupName}` });
        return { id: groupName, state };
      }
      case "aws:autoscaling/group:Group": {
        const groupName = (inputs.name as string | undefined) ?? id;
        Object.assign(state, {
          name: groupName,
          arn: `arn:aws:autoscaling:${region}:${account}:autoScalingGroup:${hex(seed, 8)}-0000-0000-0000-${hex(seed, 12)}:autoScalingGroupName/${groupName}`,
        });
        return { id: groupName, state };
      }
      case "aws:s3/bucket:Bucket":
      case "aws:s3/bucketV2:BucketV2": {
        const bucket = (inputs.bucket as string | undefined) ?? `${name}-${hex(seed, 7)}`;
        Object.assign(state, {
          bucket,
          arn: `arn:aws:s3:::${bucket}`,
          bucketDomainName: `${bucket}.s3.amazonaws.com`,
          bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`,
          region,
        });
        return { id: bucket, state };
      }
      case "aws:kms/key:Key": {
        const keyId = `${hex(seed, 8)}-${hex(seed + "1", 4)}-${hex(seed + "2", 4)}-${hex(seed + "3", 4)}-${hex(seed + "4", 12)}`;
        Object.assign(state, { keyId, arn: `arn:aws:kms:${region}:${account}:key/${keyId}` });
        return { id: keyId, state };
      }
      case "aws:ec2/vpcEndpoint:VpcEndpoint":
        Object.assign(state, {
          arn: arn(`vpc-endpoint/${id}`),
          prefixListId: inputs.vpcEndpointType === "Gateway" ? `pl-${hex(seed, 8)}` : undefined,
        });
        break;
      case "aws:ec2/natGateway:NatGateway":
        Object.assign(state, { networkInterfaceId: `eni-${hex(`${seed}::eni`, 17)}`, publicIp: "3.36.0.1" });
        break;
      case "aws:ec2/vpcPeeringConnection:VpcPeeringConnection":
        Object.assign(state, { acceptStatus: inputs.autoAccept ? "active" : "pending-acceptance" });
        break;
      default:
        if (!("arn" in state)) state.arn = arn(`${type.split(":")[2]?.toLowerCase() ?? "resource"}/${id}`);
    }
    return { id, state };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const inputs = args.inputs as Record<string, unknown>;
    switch (args.token) {
      case "aws:index/getAvailabilityZones:getAvailabilityZones": {
        const letters = ["a", "b", "c", "d"];
        return {
          id: this.region,
          names: letters.map((l) => `${this.region}${l}`),
          zoneIds: letters.map((_, i) => `${regionShort(this.region)}-az${i + 1}`),
          state: "available",
        };
      }
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return {
          accountId: this.accountId,
          arn: `arn:aws:iam::${this.accountId}:user/ci`,
          userId: "AIDAEXAMPLEUSERID0000",
          id: this.accountId,
        };
      case "aws:index/getRegion:getRegion":
        return { name: this.region, region: this.region, id: this.region, endpoint: `ec2.${this.region}.amazonaws.com` };
      case "aws:index/getPartition:getPartition":
        return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
      case "aws:ec2/getAmi:getAmi": {
        // Amazon Linux 2023 as AWS publishes it: owner "amazon", name al2023-ami-2023.x-kernel-6.1-<arch>.
        const arch = JSON.stringify(inputs.filters ?? "").includes("x86_64") ? "x86_64" : "arm64";
        return {
          id: `ami-${hex(`al2023-${this.region}-${arch}`, 17)}`,
          imageId: `ami-${hex(`al2023-${this.region}-${arch}`, 17)}`,
          name: `al2023-ami-2023.9.20251117.0-kernel-6.1-${arch}`,
          architecture: arch,
          ownerId: "137112412989",
          rootDeviceName: "/dev/xvda",
          virtualizationType: "hvm",
        };
      }
      default:
        throw new Error(`Mock not implemented: ${args.token}`);
    }
  }
}

/** AZ ids as AWS writes them (apne2-az1): a short region code plus the zone number. */
const REGION_CODES: Record<string, string> = {
  "ap-northeast-1": "apne1",
  "ap-northeast-2": "apne2",
  "ap-northeast-3": "apne3",
  "ap-southeast-1": "apse1",
  "ap-southeast-2": "apse2",
  "eu-central-1": "euc1",
  "eu-west-1": "euw1",
  "us-east-1": "use1",
  "us-east-2": "use2",
  "us-west-2": "usw2",
};

function regionShort(region: string): string {
  return REGION_CODES[region] ?? region.replace(/-/g, "");
}
