import { policies } from "../../policies/vpc";
import { policyTests } from "./cases";
import { addIsolatedIgwRoute, addIsolatedNatRoute } from "./fixtures";

policyTests("policies/vpc.ts", policies, [
  {
    policy: "ec2-subnet-disallow-public-ip-on-launch",
    title: "a private subnet auto-assigns public IPs",
    mutate: (f) => f.update("prod-private-1", (i) => (i.mapPublicIpOnLaunch = true)),
    messages: ['Subnet of tier "private" auto-assigns public IPv4 addresses; set mapPublicIpOnLaunch: false.'],
  },
  {
    policy: "ec2-defaultvpc-disallow-usage",
    title: "the default VPC is adopted",
    mutate: (f) => {
      f.add("aws:ec2/defaultVpc:DefaultVpc", "default", {});
    },
    messages: ["Do not adopt or place workloads in the default VPC; create a dedicated aws.ec2.Vpc."],
    level: "advisory",
  },
  {
    policy: "ec2-vpc-require-flow-logs",
    title: "the VPC's flow log is removed",
    mutate: (f) => f.remove("prod-flow-log"),
    messages: ['Vpc "prod-vpc" has no flow log; add an aws.ec2.FlowLog with vpcId set to this VPC and a log destination.'],
  },
  {
    policy: "ec2-vpc-require-closed-default-security-group",
    title: "the default security group is not adopted",
    mutate: (f) => f.remove("prod-default"),
    messages: [
      'Vpc "prod-vpc" leaves its default security group unmanaged; adopt it with an aws.ec2.DefaultSecurityGroup that has ingress: [] and egress: [].',
    ],
  },
  {
    policy: "ec2-subnet-require-nat-route",
    title: "a private route table loses its NAT route",
    mutate: (f) => f.remove("prod-private-1-default"),
    messages: ['Subnet "prod-private-1" (tier private) has no 0.0.0.0/0 route through NAT; route it to a NAT gateway in its AZ.'],
  },
  {
    policy: "ec2-natgateway-require-per-az",
    title: "a private subnet routes through the other AZ's NAT gateway",
    mutate: (f) => f.update("prod-private-2-default", (i) => (i.natGatewayId = f.get("prod-nat-1").id)),
    messages: [
      'Subnet "prod-private-2" in ap-northeast-2b routes through NatGateway "prod-nat-1" in ap-northeast-2a; give every AZ its own NAT gateway and route each private subnet to the one in its AZ.',
    ],
  },
  {
    policy: "ec2-natgateway-require-per-az",
    title: "dev shares one NAT gateway (advisory there)",
    mutate: (f) => f.update("prod-private-2-default", (i) => (i.natGatewayId = f.get("prod-nat-1").id)),
    messages: [
      'Subnet "prod-private-2" in ap-northeast-2b routes through NatGateway "prod-nat-1" in ap-northeast-2a; give every AZ its own NAT gateway and route each private subnet to the one in its AZ.',
    ],
    config: "dev",
    level: "advisory",
  },
  {
    policy: "ec2-routetable-disallow-internet-route-outside-public",
    title: "the isolated route table gets a route to the internet gateway",
    mutate: addIsolatedIgwRoute,
    messages: [
      'RouteTable "prod-isolated-rt" (tier isolated) routes 0.0.0.0/0 to an internet gateway; only public-tier route tables may, so remove the route.',
      'Subnet "prod-isolated-1" (tier isolated) is associated with RouteTable "prod-isolated-rt", which routes to an internet gateway; associate it with its own tier\'s route table.',
      'Subnet "prod-isolated-2" (tier isolated) is associated with RouteTable "prod-isolated-rt", which routes to an internet gateway; associate it with its own tier\'s route table.',
    ],
  },
  {
    policy: "ec2-routetable-disallow-internet-route-outside-public",
    title: "a private subnet is associated with the public route table",
    mutate: (f) => f.update("prod-private-rta-1", (i) => (i.routeTableId = f.get("prod-public-rt").id)),
    messages: [
      'Subnet "prod-private-1" (tier private) is associated with RouteTable "prod-public-rt", which routes to an internet gateway; associate it with its own tier\'s route table.',
    ],
  },
  {
    policy: "ec2-subnet-disallow-default-route-from-isolated",
    title: "the isolated tier routes to the internet gateway",
    mutate: addIsolatedIgwRoute,
    messages: [
      'Subnet "prod-isolated-1" (tier isolated) routes 0.0.0.0/0 to an internet gateway; isolated subnets must have no route beyond the VPC and its peers.',
      'Subnet "prod-isolated-2" (tier isolated) routes 0.0.0.0/0 to an internet gateway; isolated subnets must have no route beyond the VPC and its peers.',
    ],
  },
  {
    policy: "ec2-subnet-disallow-default-route-from-isolated",
    title: "the isolated tier routes through NAT",
    mutate: addIsolatedNatRoute,
    messages: [
      'Subnet "prod-isolated-1" (tier isolated) routes 0.0.0.0/0 to a NAT gateway; isolated subnets must have no route beyond the VPC and its peers.',
      'Subnet "prod-isolated-2" (tier isolated) routes 0.0.0.0/0 to a NAT gateway; isolated subnets must have no route beyond the VPC and its peers.',
    ],
  },
  {
    policy: "ec2-route-disallow-broad-peering-destination",
    title: "a peering route sends the whole internet to the peer",
    mutate: (f) => f.update("prod-shared-prod-private-1", (i) => (i.destinationCidrBlock = "0.0.0.0/0")),
    messages: ['Route "prod-shared-prod-private-1" sends 0.0.0.0/0 through VpcPeeringConnection "prod-shared-connection"; route only the peer VPC\'s CIDR.'],
  },
  {
    policy: "ec2-route-disallow-broad-peering-destination",
    title: "a peering route targets a range outside the management VPC",
    mutate: (f) => f.update("prod-shared-prod-private-1", (i) => (i.destinationCidrBlock = "10.99.0.0/16")),
    messages: [
      'Route "prod-shared-prod-private-1" sends 10.99.0.0/16 through VpcPeeringConnection "prod-shared-connection", which is not inside the peer VPC\'s CIDR 10.0.0.0/16; route only the peer VPC\'s CIDR or specific peer subnets.',
    ],
  },
  {
    policy: "ec2-route-disallow-broad-peering-destination",
    title: "the management side's route points back at the management VPC itself",
    mutate: (f) => f.update("prod-shared-shared-private-1", (i) => (i.destinationCidrBlock = "10.0.0.0/16")),
    messages: [
      'Route "prod-shared-shared-private-1" sends 10.0.0.0/16 through VpcPeeringConnection "prod-shared-connection", which is not inside the peer VPC\'s CIDR 10.30.0.0/16; route only the peer VPC\'s CIDR or specific peer subnets.',
    ],
  },
  {
    policy: "ec2-vpcpeeringconnection-disallow-cross-environment",
    title: "prod peers with the dev VPC",
    mutate: (f) => f.update("organization/platform/shared", (i) => (i.name = "organization/platform/dev")),
    messages: [
      'VpcPeeringConnection "prod-shared-connection" joins environment "prod" to "dev"; production may peer only with production or the management VPC, so remove this peering.',
    ],
  },
  {
    policy: "ec2-vpcpeeringconnection-disallow-cross-environment",
    title: "two peered VPCs overlap",
    mutate: (f) => {
      const other = f.add("aws:ec2/vpc:Vpc", "other-vpc", { cidrBlock: "10.30.128.0/17", tags: { Name: "other" } });
      f.add("aws:ec2/vpcPeeringConnection:VpcPeeringConnection", "overlap", { vpcId: f.get("prod-vpc").id, peerVpcId: other.id });
    },
    messages: ['VpcPeeringConnection "overlap" joins overlapping CIDRs 10.30.0.0/16 and 10.30.128.0/17; give the VPCs disjoint address ranges.'],
  },
  {
    policy: "ec2-instance-disallow-source-dest-check-bypass",
    title: "an instance that nothing routes through turns the check off",
    mutate: (f) => {
      f.add("aws:ec2/instance:Instance", "stray", {
        ami: "ami-0123456789abcdef0", instanceType: "t4g.nano", subnetId: f.get("prod-private-1").id, sourceDestCheck: false,
        iamInstanceProfile: "x", metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 }, rootBlockDevice: { encrypted: true }, monitoring: true,
      });
    },
    messages: ['Instance "stray" turns off the source/destination check but no route sends traffic through it; keep sourceDestCheck on.'],
    level: "advisory",
  },
  {
    policy: "ec2-eip-require-association",
    title: "an Elastic IP is attached to nothing",
    mutate: (f) => {
      f.add("aws:ec2/eip:Eip", "spare", { domain: "vpc" });
    },
    messages: ['Eip "spare" is not attached to anything; attach it to a NAT gateway or instance, or release it.'],
    level: "advisory",
  },
]);
