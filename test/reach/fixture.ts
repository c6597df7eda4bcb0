import { ReachResource } from "../../cli/reach/model";

/**
 * Small hand-built networks for the engine's unit tests: resources as a deployment document holds
 * them (type, id, properties), built one at a time so each test states exactly what exists.
 */
export class Net {
  readonly resources: ReachResource[] = [];
  constructor(readonly stack = "t") {}

  add(type: string, name: string, id: string, props: Record<string, unknown>): string {
    this.resources.push({ urn: `urn:pulumi:${this.stack}::p::${type}::${name}`, type, id, props: { ...props } });
    return id;
  }

  urn(name: string): string {
    const r = this.resources.find((x) => x.urn.endsWith(`::${name}`));
    if (!r) throw new Error(`no resource ${name}`);
    return r.urn;
  }

  /** Replaces a resource's properties (a mutation). */
  set(name: string, props: Record<string, unknown>): void {
    const i = this.resources.findIndex((x) => x.urn.endsWith(`::${name}`));
    if (i < 0) throw new Error(`no resource ${name}`);
    this.resources[i] = { ...this.resources[i], props: { ...this.resources[i].props, ...props } };
  }

  remove(name: string): void {
    const i = this.resources.findIndex((x) => x.urn.endsWith(`::${name}`));
    if (i < 0) throw new Error(`no resource ${name}`);
    this.resources.splice(i, 1);
  }

  vpc(name: string, id: string, cidr: string): string {
    return this.add("aws:ec2/vpc:Vpc", name, id, { cidrBlock: cidr });
  }
  subnet(name: string, id: string, vpcId: string, cidr: string, az: string, rt: string, acl: string): string {
    this.add("aws:ec2/subnet:Subnet", name, id, { vpcId, cidrBlock: cidr, availabilityZone: az });
    this.add("aws:ec2/routeTableAssociation:RouteTableAssociation", `${name}-rt`, `rtbassoc-${id}`, { subnetId: id, routeTableId: rt });
    this.add("aws:ec2/networkAclAssociation:NetworkAclAssociation", `${name}-acl`, `aclassoc-${id}`, { subnetId: id, networkAclId: acl });
    return id;
  }
  routeTable(name: string, id: string, vpcId: string): string {
    return this.add("aws:ec2/routeTable:RouteTable", name, id, { vpcId });
  }
  route(name: string, routeTableId: string, destinationCidrBlock: string, target: Record<string, string>): void {
    this.add("aws:ec2/route:Route", name, `r-${name}`, { routeTableId, destinationCidrBlock, ...target });
  }
  acl(name: string, id: string, vpcId: string): string {
    return this.add("aws:ec2/networkAcl:NetworkAcl", name, id, { vpcId });
  }
  aclRule(name: string, networkAclId: string, egress: boolean, ruleNumber: number, cidrBlock: string, fromPort: number, toPort: number, ruleAction: "allow" | "deny" = "allow", protocol = "tcp"): void {
    this.add("aws:ec2/networkAclRule:NetworkAclRule", name, `acle-${name}`, { networkAclId, egress, ruleNumber, protocol, ruleAction, cidrBlock, fromPort, toPort });
  }
  /** Allows everything both ways (rule 100): for tests about something else. */
  openAcl(name: string, id: string, vpcId: string): string {
    this.acl(name, id, vpcId);
    this.aclRule(`${name}-in`, id, false, 100, "0.0.0.0/0", 0, 65535, "allow", "-1");
    this.aclRule(`${name}-out`, id, true, 100, "0.0.0.0/0", 0, 65535, "allow", "-1");
    return id;
  }
  sg(name: string, id: string, vpcId: string, inline: Record<string, unknown> = {}): string {
    return this.add("aws:ec2/securityGroup:SecurityGroup", name, id, { vpcId, ...inline });
  }
  ingress(name: string, securityGroupId: string, port: number | [number, number], peer: Record<string, string>, ipProtocol = "tcp"): void {
    const [fromPort, toPort] = typeof port === "number" ? [port, port] : port;
    this.add("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name, `sgr-${name}`, { securityGroupId, ipProtocol, fromPort, toPort, ...peer });
  }
  egress(name: string, securityGroupId: string, port: number | [number, number], peer: Record<string, string>, ipProtocol = "tcp"): void {
    const [fromPort, toPort] = typeof port === "number" ? [port, port] : port;
    this.add("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", name, `sgr-${name}`, { securityGroupId, ipProtocol, fromPort, toPort, ...peer });
  }
  service(name: string, subnets: string[], securityGroups: string[], port: number, assignPublicIp = false): void {
    this.add("aws:ecs/service:Service", name, `svc-${name}`, {
      name,
      networkConfiguration: { subnets, securityGroups, assignPublicIp },
      loadBalancers: [{ containerName: name, containerPort: port }],
    });
  }
  alb(name: string, subnets: string[], securityGroups: string[], ports: number[], internal = false): void {
    const arn = `arn:lb:${name}`;
    this.add("aws:lb/loadBalancer:LoadBalancer", name, arn, { arn, subnets, securityGroups, internal });
    ports.forEach((port) => this.add("aws:lb/listener:Listener", `${name}-${port}`, `arn:listener:${name}:${port}`, { loadBalancerArn: arn, port }));
  }
  database(name: string, subnetIds: string[], securityGroups: string[], port = 5432, publiclyAccessible = false): void {
    this.add("aws:rds/subnetGroup:SubnetGroup", `${name}-subnets`, `${name}-subnets`, { name: `${name}-subnets`, subnetIds });
    this.add("aws:rds/cluster:Cluster", name, name, { clusterIdentifier: name, dbSubnetGroupName: `${name}-subnets`, vpcSecurityGroupIds: securityGroups, port, engine: "aurora-postgresql" });
    this.add("aws:rds/clusterInstance:ClusterInstance", `${name}-1`, `${name}-1`, { clusterIdentifier: name, publiclyAccessible });
  }
  /**
   * A one-off task as infra/database/bootstrap.ts builds it: a task definition no service runs and
   * its own group, both tagged with the run-task Role; the container carries DB_HOST.
   */
  oneOffTask(name: string, role: string, securityGroupId: string, vpcId: string): void {
    this.add("aws:ec2/securityGroup:SecurityGroup", `${name}-sg`, securityGroupId, { vpcId, tags: { Name: `${name}-sg`, Role: role } });
    this.add("aws:ecs/taskDefinition:TaskDefinition", `${name}-taskdef`, name, {
      family: name,
      arn: `arn:aws:ecs:r-1:123456789012:task-definition/${name}:1`,
      containerDefinitions: JSON.stringify([{ name: role, environment: [{ name: "DB_HOST", value: "db.example" }] }]),
      tags: { Name: name, Role: role },
    });
  }
  endpoint(name: string, vpcId: string, service: string, subnetIds: string[], securityGroupIds: string[]): void {
    this.add("aws:ec2/vpcEndpoint:VpcEndpoint", name, `vpce-${name}`, { vpcId, serviceName: `com.amazonaws.r-1.${service}`, vpcEndpointType: "Interface", subnetIds, securityGroupIds });
  }
}

/**
 * A VPC 10.0.0.0/16 with a public subnet (10.0.0.0/24, AZ a) and two private subnets
 * (10.0.1.0/24 in a, 10.0.2.0/24 in b), open NACLs, an IGW route on the public table, an ALB
 * (443) and an ECS service (8080) whose groups admit exactly ALB → service.
 */
export function basicNet(): Net {
  const n = new Net();
  const vpc = n.vpc("vpc", "vpc-1", "10.0.0.0/16");
  n.add("aws:ec2/internetGateway:InternetGateway", "igw", "igw-1", { vpcId: vpc });
  const pub = n.routeTable("rt-public", "rtb-pub", vpc);
  n.route("public-default", pub, "0.0.0.0/0", { gatewayId: "igw-1" });
  const priv = n.routeTable("rt-private", "rtb-priv", vpc);
  n.openAcl("acl-public", "acl-pub", vpc);
  n.openAcl("acl-private", "acl-priv", vpc);
  n.subnet("public-a", "subnet-pa", vpc, "10.0.0.0/24", "r-1a", pub, "acl-pub");
  n.subnet("private-a", "subnet-a", vpc, "10.0.1.0/24", "r-1a", priv, "acl-priv");
  n.subnet("private-b", "subnet-b", vpc, "10.0.2.0/24", "r-1b", priv, "acl-priv");
  n.sg("alb-sg", "sg-alb", vpc);
  n.sg("svc-sg", "sg-svc", vpc);
  n.ingress("alb-https-in", "sg-alb", 443, { cidrIpv4: "0.0.0.0/0" });
  n.egress("alb-to-svc", "sg-alb", 8080, { referencedSecurityGroupId: "sg-svc" });
  n.ingress("svc-from-alb", "sg-svc", 8080, { referencedSecurityGroupId: "sg-alb" });
  n.alb("alb", ["subnet-pa"], ["sg-alb"], [443]);
  n.service("svc", ["subnet-a", "subnet-b"], ["sg-svc"], 8080);
  return n;
}
