import { createHash } from "crypto";

/**
 * Deterministic identifiers derived from a seed (a URN). Kept apart from mocks.ts so code that only
 * builds documents (the plan parent process, the diff) does not load @pulumi/pulumi for them.
 */

/** `length` hex digits derived from `seed`. */
export function hex(seed: string, length: number): string {
  let out = "";
  let i = 0;
  while (out.length < length) {
    out += createHash("sha256").update(`${seed}#${i++}`).digest("hex");
  }
  return out.slice(0, length);
}

/** A version-4-shaped UUID derived from `seed` (provider ids are UUIDs in real state). */
export function uuidFrom(seed: string): string {
  const h = hex(seed, 32);
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Physical-id prefixes AWS uses, by Pulumi type token. */
export const ID_PREFIX: Record<string, string> = {
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
  "aws:ec2/vpnGateway:VpnGateway": "vgw-",
  "aws:ec2/customerGateway:CustomerGateway": "cgw-",
  "aws:ec2/vpnConnection:VpnConnection": "vpn-",
};
