import { expect } from "chai";
import { Endpoint, FlowResult, evaluateFlow } from "../../cli/reach/evaluate";
import { AddrRange, NetworkModel, UNKNOWN, buildModel, parseRange } from "../../cli/reach/model";
import { Net, basicNet } from "./fixture";

/**
 * One rule of AWS's packet evaluation per block: an allow case and a deny case on a hand-built
 * network, asserting the verdict and the exact component that blocks.
 */

function node(m: NetworkModel, key: string, subnetId?: string): Endpoint {
  const n = m.nodes.find((x) => x.key === key);
  if (!n) throw new Error(`no node ${key}: ${m.nodes.map((x) => x.key).join(", ")}`);
  const s = subnetId ?? (n.subnetIds[0] as string);
  return { kind: "node", node: n, subnetId: s };
}

function flow(n: Net, from: string | Endpoint, to: string | Endpoint, port: number, fromSubnet?: string, toSubnet?: string): FlowResult {
  const m = buildModel(n.resources);
  const end = (e: string | Endpoint, s?: string): Endpoint => (typeof e === "string" ? node(m, e, s) : e);
  return evaluateFlow(m, { from: end(from, fromSubnet), to: end(to, toSubnet), port });
}

const INTERNET: Endpoint = { kind: "internet" };

describe("reach engine: security groups", () => {
  it("with a group-reference egress and ingress, allows ALB → service on the container port", () => {
    const r = flow(basicNet(), "alb:alb", "service:svc", 8080);
    expect(r.result).to.equal("allow");
    expect(r.path.map((h) => h.component)).to.include("security group svc-sg (ingress)");
  });

  it("fails at the destination group when its ingress rule is removed (stateful: no reply rule is needed)", () => {
    const n = basicNet();
    n.remove("svc-from-alb");
    const r = flow(n, "alb:alb", "service:svc", 8080);
    expect(r.result).to.equal("deny");
    expect(r.blockedBy?.urn).to.equal(n.urn("svc-sg"));
    expect(r.blockedBy?.detail).to.equal("security group svc-sg (ingress): from load balancer alb tcp 8080: no ingress rule of svc-sg admits it");
  });

  it("matches a CIDR rule only when it covers the source's whole subnet", () => {
    const n = basicNet();
    n.remove("svc-from-alb");
    n.ingress("svc-from-cidr", "sg-svc", 8080, { cidrIpv4: "10.0.0.0/24" });
    expect(flow(n, "alb:alb", "service:svc", 8080).result).to.equal("allow");
    n.set("svc-from-cidr", { cidrIpv4: "10.0.0.0/25" });
    expect(flow(n, "alb:alb", "service:svc", 8080).result).to.equal("deny");
  });

  it("protocol -1 covers every port; a udp rule never admits tcp", () => {
    const n = basicNet();
    n.set("alb-to-svc", { ipProtocol: "-1", fromPort: 0, toPort: 0 });
    expect(flow(n, "alb:alb", "service:svc", 8080).result).to.equal("allow");
    n.set("alb-to-svc", { ipProtocol: "udp", fromPort: 8080, toPort: 8080 });
    const r = flow(n, "alb:alb", "service:svc", 8080);
    expect(r.result).to.equal("deny");
    expect(r.blockedBy?.urn).to.equal(n.urn("alb-sg"));
  });

  it("port ranges are inclusive: 8000-8080 admits 8080, 8081-8100 does not", () => {
    const n = basicNet();
    n.set("alb-to-svc", { fromPort: 8000, toPort: 8080 });
    expect(flow(n, "alb:alb", "service:svc", 8080).result).to.equal("allow");
    n.set("alb-to-svc", { fromPort: 8081, toPort: 8100 });
    expect(flow(n, "alb:alb", "service:svc", 8080).result).to.equal("deny");
  });

  it("an IPv6 rule (::/0) never admits an IPv4 flow; the IPv4 one does", () => {
    const n = basicNet();
    n.set("alb-https-in", { cidrIpv4: undefined, cidrIpv6: "::/0" });
    const r = flow(n, INTERNET, "alb:alb", 443);
    expect(r.result).to.equal("deny");
    expect(r.blockedBy?.urn).to.equal(n.urn("alb-sg"));
    n.set("alb-https-in", { cidrIpv4: "0.0.0.0/0", cidrIpv6: undefined });
    expect(flow(n, INTERNET, "alb:alb", 443).result).to.equal("allow");
  });

  it("reads inline ingress/egress blocks and aws.ec2.SecurityGroupRule, like standalone rules", () => {
    const n = basicNet();
    n.remove("svc-from-alb");
    n.remove("alb-to-svc");
    n.set("alb-sg", { egress: [{ protocol: "tcp", fromPort: 8080, toPort: 8080, securityGroups: ["sg-svc"] }] });
    n.add("aws:ec2/securityGroupRule:SecurityGroupRule", "svc-rule", "sgrule-1", { type: "ingress", securityGroupId: "sg-svc", protocol: "tcp", fromPort: 8080, toPort: 8080, sourceSecurityGroupId: "sg-alb" });
    expect(flow(n, "alb:alb", "service:svc", 8080).result).to.equal("allow");
    n.remove("svc-rule");
    expect(flow(n, "alb:alb", "service:svc", 8080).blockedBy?.urn).to.equal(n.urn("svc-sg"));
  });

  it("a group with no egress rule has none (the provider removes AWS's default allow-all)", () => {
    const n = basicNet();
    n.remove("alb-to-svc");
    const r = flow(n, "alb:alb", "service:svc", 8080);
    expect(r.result).to.equal("deny");
    expect(r.blockedBy?.detail).to.equal("security group alb-sg (egress): to ECS service svc tcp 8080: no egress rule of alb-sg admits it");
  });
});

describe("reach engine: network ACLs", () => {
  function tight(): Net {
    // Private ACL admitting 8080 from the public subnet and replies to it, nothing else.
    const n = basicNet();
    n.remove("acl-private-in");
    n.remove("acl-private-out");
    n.aclRule("priv-in-8080", "acl-priv", false, 100, "10.0.0.0/24", 8080, 8080);
    n.aclRule("priv-out-eph", "acl-priv", true, 100, "10.0.0.0/24", 1024, 65535);
    return n;
  }

  it("admits a flow its rules allow, request and reply", () => {
    expect(flow(tight(), "alb:alb", "service:svc", 8080).result).to.equal("allow");
  });

  it("evaluates the lowest rule number first: a deny at 90 wins over the allow at 100", () => {
    const n = tight();
    n.aclRule("priv-deny", "acl-priv", false, 90, "10.0.0.0/16", 0, 65535, "deny");
    const r = flow(n, "alb:alb", "service:svc", 8080);
    expect(r.result).to.equal("deny");
    expect(r.blockedBy?.urn).to.equal(n.urn("priv-deny"));
    expect(r.blockedBy?.detail).to.contain("denied by rule 90 (deny 10.0.0.0/16 tcp 0-65535) of acl-private");
  });

  it("first match wins: a deny numbered after the matching allow changes nothing", () => {
    const n = tight();
    n.aclRule("priv-deny", "acl-priv", false, 110, "10.0.0.0/16", 0, 65535, "deny");
    expect(flow(n, "alb:alb", "service:svc", 8080).result).to.equal("allow");
  });

  it("fails on the implicit deny (rule *) when no rule matches, naming the ACL", () => {
    const n = tight();
    n.remove("priv-in-8080");
    const r = flow(n, "alb:alb", "service:svc", 8080);
    expect(r.result).to.equal("deny");
    expect(r.blockedBy?.urn).to.equal(n.urn("acl-private"));
    expect(r.blockedBy?.detail).to.contain("rule * (implicit deny: no rule matches)");
  });

  it("is stateless: without the ephemeral egress rule the reply is dropped", () => {
    const n = tight();
    n.remove("priv-out-eph");
    const r = flow(n, "alb:alb", "service:svc", 8080);
    expect(r.result).to.equal("deny");
    expect(r.blockedBy?.detail).to.match(/^network ACL acl-private \(private-a\): outbound reply to load balancer alb \(10\.0\.0\.0\/24\) tcp 1024-65535/);
  });

  it("a reply range with only 3389 closed passes (stepped around on purpose), a wider gap does not", () => {
    const n = tight();
    n.remove("priv-out-eph");
    n.aclRule("eph-low", "acl-priv", true, 200, "10.0.0.0/24", 1024, 3388);
    n.aclRule("eph-high", "acl-priv", true, 210, "10.0.0.0/24", 3390, 65535);
    expect(flow(n, "alb:alb", "service:svc", 8080).result).to.equal("allow");
    n.remove("eph-low");
    expect(flow(n, "alb:alb", "service:svc", 8080).result).to.equal("deny");
  });

  it("two interfaces of one subnet cross no ACL; two subnets of the same tier cross both", () => {
    const n = basicNet();
    n.sg("peer-sg", "sg-peer", "vpc-1");
    n.egress("peer-out", "sg-peer", 8080, { referencedSecurityGroupId: "sg-svc" });
    n.ingress("svc-from-peer", "sg-svc", 8080, { referencedSecurityGroupId: "sg-peer" });
    n.service("peer", ["subnet-a", "subnet-b"], ["sg-peer"], 9000);
    n.remove("acl-private-in");
    n.remove("acl-private-out");
    expect(flow(n, "service:peer", "service:svc", 8080, "subnet-a", "subnet-a").result).to.equal("allow");
    const r = flow(n, "service:peer", "service:svc", 8080, "subnet-a", "subnet-b");
    expect(r.result).to.equal("deny");
    expect(r.blockedBy?.urn).to.equal(n.urn("acl-private"));
  });
});

describe("reach engine: routes, gateways, NAT", () => {
  it("internet → an internet-facing ALB passes through the IGW route of its subnet", () => {
    const r = flow(basicNet(), INTERNET, "alb:alb", 443);
    expect(r.result).to.equal("allow");
  });

  it("fails for an internal load balancer: no public address", () => {
    const n = basicNet();
    n.set("alb", { internal: true });
    const r = flow(n, INTERNET, "alb:alb", 443);
    expect(r.blockedBy).to.deep.equal({ urn: n.urn("alb"), detail: "load balancer alb: has no public IP address: the internet gateway cannot deliver to it" });
  });

  it("fails when the public subnet's table has no route to the internet gateway", () => {
    const n = basicNet();
    n.remove("public-default");
    const r = flow(n, INTERNET, "alb:alb", 443);
    expect(r.blockedBy?.urn).to.equal(n.urn("rt-public"));
  });

  it("fails on a port with no listener", () => {
    const n = basicNet();
    n.ingress("alb-8443", "sg-alb", 8443, { cidrIpv4: "0.0.0.0/0" });
    const r = flow(n, INTERNET, "alb:alb", 8443);
    expect(r.blockedBy?.detail).to.equal("load balancer alb: no listener 8443 (it serves 443)");
  });

  function withNat(): Net {
    const n = basicNet();
    n.add("aws:ec2/natGateway:NatGateway", "nat", "nat-1", { subnetId: "subnet-pa", connectivityType: "public" });
    n.route("private-default", "rtb-priv", "0.0.0.0/0", { natGatewayId: "nat-1" });
    n.egress("svc-https", "sg-svc", 443, { cidrIpv4: "0.0.0.0/0" });
    return n;
  }

  it("a service reaches the internet through a NAT gateway in a public subnet", () => {
    expect(flow(withNat(), "service:svc", INTERNET, 443).result).to.equal("allow");
  });

  it("fails without a default route in the private table (longest prefix match finds nothing)", () => {
    const n = withNat();
    n.remove("private-default");
    const r = flow(n, "service:svc", INTERNET, 443);
    expect(r.blockedBy).to.deep.equal({ urn: n.urn("rt-private"), detail: "route table rt-private: no route to 0.0.0.0/0" });
  });

  it("fails when the NAT's own subnet has no route to an internet gateway", () => {
    const n = withNat();
    n.remove("public-default");
    expect(flow(n, "service:svc", INTERNET, 443).blockedBy?.urn).to.equal(n.urn("rt-public"));
  });

  it("picks the longest prefix: a 0.0.0.0/1 route beats 0.0.0.0/0 for 1.1.1.1, not for 200.1.1.1", () => {
    const n = withNat();
    n.route("half", "rtb-priv", "0.0.0.0/1", { vpcPeeringConnectionId: "pcx-elsewhere" });
    const at = (ip: string): Endpoint => ({ kind: "internet", cidr: parseRange(ip) as AddrRange });
    const low = flow(n, "service:svc", at("1.1.1.1/32"), 443);
    expect(low.path.find((h) => h.component === "route table rt-private")?.detail).to.equal("0.0.0.0/1 → pcx-elsewhere: the peering connection is not in the documents");
    expect(flow(n, "service:svc", at("200.1.1.1/32"), 443).result).to.equal("allow");
  });

  function withNatInstance(check: boolean): Net {
    const n = basicNet();
    n.sg("nat-sg", "sg-nat", "vpc-1");
    n.ingress("nat-in", "sg-nat", 443, { cidrIpv4: "10.0.0.0/16" });
    n.egress("nat-out", "sg-nat", 443, { cidrIpv4: "0.0.0.0/0" });
    n.add("aws:ec2/instance:Instance", "nat-instance", "i-1", { subnetId: "subnet-pa", vpcSecurityGroupIds: ["sg-nat"], sourceDestCheck: check, associatePublicIpAddress: true, primaryNetworkInterfaceId: "eni-nat", tags: { Role: "nat" } });
    n.route("private-default", "rtb-priv", "0.0.0.0/0", { networkInterfaceId: "eni-nat" });
    n.egress("svc-https", "sg-svc", 443, { cidrIpv4: "0.0.0.0/0" });
    return n;
  }

  it("a NAT instance forwards with the source/destination check off, through its own group", () => {
    expect(flow(withNatInstance(false), "service:svc", INTERNET, 443).result).to.equal("allow");
  });

  it("fails at the NAT instance when the source/destination check is on", () => {
    const n = withNatInstance(true);
    const r = flow(n, "service:svc", INTERNET, 443);
    expect(r.blockedBy).to.deep.equal({ urn: n.urn("nat-instance"), detail: "NAT instance nat-instance: source/destination check is on: the instance drops traffic not addressed to itself" });
  });

  it("fails at the NAT instance's group when it does not admit the port", () => {
    const n = withNatInstance(false);
    n.egress("svc-http", "sg-svc", 80, { cidrIpv4: "0.0.0.0/0" });
    const r = flow(n, "service:svc", INTERNET, 80);
    expect(r.blockedBy?.urn).to.equal(n.urn("nat-sg"));
  });

  it("reaches S3 through a gateway endpoint's prefix-list route; without the association, it fails", () => {
    const n = basicNet();
    n.egress("svc-https", "sg-svc", 443, { cidrIpv4: "0.0.0.0/0" });
    n.add("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", "vpce-s3", { vpcId: "vpc-1", serviceName: "com.amazonaws.r-1.s3", vpcEndpointType: "Gateway", prefixListId: "pl-s3", routeTableIds: ["rtb-priv"] });
    const s3: Endpoint = { kind: "service", service: "s3", label: "S3" };
    expect(flow(n, "service:svc", s3, 443).result).to.equal("allow");
    n.set("s3", { routeTableIds: [] });
    const r = flow(n, "service:svc", s3, 443);
    expect(r.blockedBy).to.deep.equal({ urn: n.urn("rt-private"), detail: "route table rt-private: no route to the s3 prefix list" });
  });

  it("an interface endpoint in another AZ is reached through its group; closing the group fails the flow", () => {
    const n = basicNet();
    n.sg("ep-sg", "sg-ep", "vpc-1");
    n.ingress("ep-in", "sg-ep", 443, { cidrIpv4: "10.0.0.0/16" });
    n.egress("svc-https", "sg-svc", 443, { cidrIpv4: "0.0.0.0/0" });
    n.endpoint("logs", "vpc-1", "logs", ["subnet-a", "subnet-b"], ["sg-ep"]);
    expect(flow(n, "service:svc", "endpoint:logs", 443, "subnet-a", "subnet-b").result).to.equal("allow");
    n.remove("ep-in");
    expect(flow(n, "service:svc", "endpoint:logs", 443, "subnet-a", "subnet-b").blockedBy?.urn).to.equal(n.urn("ep-sg"));
  });
});

describe("reach engine: VPC peering", () => {
  function peered(): Net {
    const n = basicNet();
    const mgmt = n.vpc("mgmt", "vpc-m", "10.9.0.0/16");
    const rt = n.routeTable("rt-mgmt", "rtb-m", mgmt);
    n.openAcl("acl-mgmt", "acl-m", mgmt);
    n.subnet("mgmt-a", "subnet-m", mgmt, "10.9.1.0/24", "r-1a", rt, "acl-m");
    n.add("aws:ec2/vpcPeeringConnection:VpcPeeringConnection", "pcx", "pcx-1", { vpcId: "vpc-1", peerVpcId: mgmt });
    n.route("to-mgmt", "rtb-priv", "10.9.0.0/16", { vpcPeeringConnectionId: "pcx-1" });
    n.route("to-env", "rtb-m", "10.0.0.0/16", { vpcPeeringConnectionId: "pcx-1" });
    n.sg("bastion-sg", "sg-b", mgmt);
    n.egress("b-out", "sg-b", 8080, { cidrIpv4: "10.0.0.0/16" });
    n.ingress("svc-from-b", "sg-svc", 8080, { referencedSecurityGroupId: "sg-b" });
    n.add("aws:ec2/launchTemplate:LaunchTemplate", "bastion-lt", "lt-1", { networkInterfaces: [{ securityGroups: ["sg-b"], associatePublicIpAddress: "false" }] });
    n.add("aws:autoscaling/group:Group", "bastion-asg", "asg-1", { vpcZoneIdentifiers: ["subnet-m"], launchTemplate: { id: "lt-1" } });
    return n;
  }

  it("with routes on both sides, the peer's bastion reaches the service (group reference across the peering)", () => {
    expect(flow(peered(), "bastion:bastion", "service:svc", 8080).result).to.equal("allow");
  });

  it("fails with a route on one side only, at the side missing the route back", () => {
    const n = peered();
    n.remove("to-env");
    expect(flow(n, "service:svc", "bastion:bastion", 8080).result).to.equal("deny");
    n.remove("to-mgmt");
    const back = peered();
    back.remove("to-mgmt");
    const r = flow(back, "bastion:bastion", "service:svc", 8080);
    expect(r.blockedBy).to.deep.equal({ urn: back.urn("rt-private"), detail: "route table rt-private: no route back to 10.9.1.0/24 through pcx (routes are needed on both sides)" });
  });

  it("is not transitive: a third VPC behind the peer is not reached", () => {
    const n = peered();
    n.route("to-third", "rtb-priv", "10.8.0.0/16", { vpcPeeringConnectionId: "pcx-1" });
    n.egress("svc-third", "sg-svc", 443, { cidrIpv4: "10.8.0.0/16" });
    const r = flow(n, "service:svc", { kind: "address", cidr: { lo: 168296448, hi: 168361983, v4: true, text: "10.8.0.0/16" }, label: "third" }, 443);
    expect(r.result).to.equal("deny");
    expect(r.blockedBy?.detail).to.equal("route table rt-private: 10.8.0.0/16 → pcx-1: pcx does not lead to third (peering is not transitive)");
  });

  it("across regions, a security-group reference to the peer's group matches nothing", () => {
    const n = peered();
    n.set("pcx", { peerRegion: "r-2" });
    const r = flow(n, "bastion:bastion", "service:svc", 8080);
    expect(r.blockedBy?.urn).to.equal(n.urn("svc-sg"));
  });
});

describe("reach engine: databases and unknowns", () => {
  function withDb(publiclyAccessible: boolean): Net {
    const n = basicNet();
    n.sg("db-sg", "sg-db", "vpc-1");
    n.ingress("db-in", "sg-db", 5432, { cidrIpv4: "0.0.0.0/0" });
    n.egress("svc-db", "sg-svc", 5432, { referencedSecurityGroupId: "sg-db" });
    n.database("db", ["subnet-a", "subnet-b"], ["sg-db"], 5432, publiclyAccessible);
    return n;
  }

  it("a service reaches Aurora on its port; another port finds no listener", () => {
    expect(flow(withDb(false), "service:svc", "database:db", 5432, "subnet-a", "subnet-b").result).to.equal("allow");
    const n = withDb(false);
    n.egress("svc-3306", "sg-svc", 3306, { cidrIpv4: "10.0.0.0/16" });
    n.ingress("db-3306", "sg-db", 3306, { cidrIpv4: "10.0.0.0/16" });
    expect(flow(n, "service:svc", "database:db", 3306).blockedBy?.detail).to.equal("Aurora cluster db: no database port 3306 (it serves 5432)");
  });

  it("a database that is not publicly accessible is closed to the internet even with an open group", () => {
    const n = withDb(false);
    expect(flow(n, INTERNET, "database:db", 5432).blockedBy?.urn).to.equal(n.urn("db"));
  });

  it("reports unknown, never allow, when a group id is not known yet", () => {
    const n = basicNet();
    n.set("svc", { networkConfiguration: { subnets: ["subnet-a"], securityGroups: [UNKNOWN], assignPublicIp: false } });
    expect(flow(n, "alb:alb", "service:svc", 8080).result).to.equal("unknown");
  });

  it("reports unknown when an ACL rule's CIDR is not known yet; a certain deny further on still decides", () => {
    const n = basicNet();
    n.set("acl-private-in", { cidrBlock: UNKNOWN });
    expect(flow(n, "alb:alb", "service:svc", 8080).result).to.equal("unknown");
    n.remove("svc-from-alb");
    const r = flow(n, "alb:alb", "service:svc", 8080);
    expect(r.result).to.equal("deny");
    expect(r.blockedBy?.urn).to.equal(n.urn("svc-sg"));
  });
});
