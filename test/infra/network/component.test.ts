import { expect } from "chai";
import { Evaluation, RecordedResource, ofType } from "../../../cli/evaluate/harness";
import { planNaclRules } from "../../../infra/network/nacl";
import { planNetwork } from "../../../infra/network/plan";
import { evaluateShipped } from "../../support/stacks";

const T = {
  vpc: "aws:ec2/vpc:Vpc",
  subnet: "aws:ec2/subnet:Subnet",
  igw: "aws:ec2/internetGateway:InternetGateway",
  rt: "aws:ec2/routeTable:RouteTable",
  route: "aws:ec2/route:Route",
  rta: "aws:ec2/routeTableAssociation:RouteTableAssociation",
  nat: "aws:ec2/natGateway:NatGateway",
  eip: "aws:ec2/eip:Eip",
  instance: "aws:ec2/instance:Instance",
  acl: "aws:ec2/networkAcl:NetworkAcl",
  aclRule: "aws:ec2/networkAclRule:NetworkAclRule",
  aclAssoc: "aws:ec2/networkAclAssociation:NetworkAclAssociation",
  defaultSg: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
  flowLog: "aws:ec2/flowLog:FlowLog",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  role: "aws:iam/role:Role",
  endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
};

interface Expect {
  cidr: string;
  azs: number;
  nat: "single" | "perAz" | "instance";
  flowLogRetention: number;
  flowLogTraffic?: "REJECT";
  endpoints: string[];
  tags: Record<string, string>;
}

const STACKS: Record<string, Expect> = {
  shared: { cidr: "10.0.0.0/16", azs: 2, nat: "single", flowLogRetention: 365, endpoints: [], tags: { CostCenter: "platform", Owner: "platform-team" } },
  dev: { cidr: "10.10.0.0/16", azs: 2, nat: "instance", flowLogRetention: 14, flowLogTraffic: "REJECT", endpoints: [], tags: { CostCenter: "engineering", Owner: "platform-team" } },
  staging: { cidr: "10.20.0.0/16", azs: 3, nat: "perAz", flowLogRetention: 30, endpoints: [], tags: { CostCenter: "engineering", Owner: "platform-team" } },
  prod: {
    cidr: "10.30.0.0/16",
    azs: 3,
    nat: "perAz",
    flowLogRetention: 365,
    endpoints: ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "sts"],
    tags: { CostCenter: "product", Owner: "platform-team", DataClassification: "confidential" },
  },
};

const byName = (ev: Evaluation, type: string, name: string): RecordedResource => {
  const r = ofType(ev, type).find((x) => x.name === name);
  if (!r) throw new Error(`no ${type} named ${name}; have ${ofType(ev, type).map((x) => x.name).join(", ")}`);
  return r;
};
const input = <T>(r: RecordedResource, key: string): T => r.inputs[key] as T;
const vpcChildren = (ev: Evaluation, type: string, stack: string) => ofType(ev, type).filter((r) => r.parent?.endsWith(`platform:network:Vpc::${stack}`));

for (const [stack, want] of Object.entries(STACKS)) {
  describe(`network component in the ${stack} stack`, () => {
    let ev: Evaluation;
    before(async () => {
      ev = await evaluateShipped(stack);
    });
    const plan = planNetwork(want.cidr, want.azs);
    const azName = (i: number) => `ap-northeast-2${"abcd"[i]}`;

    it("creates one VPC with DNS support and hostnames, parented to the component", () => {
      const vpcs = ofType(ev, T.vpc);
      expect(vpcs).to.have.length(1);
      expect(vpcs[0].name).to.equal(`${stack}-vpc`);
      expect(vpcs[0].inputs).to.include({ cidrBlock: want.cidr, enableDnsSupport: true, enableDnsHostnames: true });
      expect(vpcs[0].parent).to.equal(`urn:pulumi:${stack}::platform::platform:network:Vpc::${stack}`);
    });

    it(`creates ${3 * want.azs} subnets with the planned CIDRs, AZs and Tier tags, none auto-assigning public IPs`, () => {
      const subnets = vpcChildren(ev, T.subnet, stack);
      expect(subnets).to.have.length(3 * want.azs);
      for (const s of plan.subnets) {
        const r = byName(ev, T.subnet, `${stack}-${s.tier}-${s.azIndex + 1}`);
        expect(r.inputs).to.include({ cidrBlock: s.cidr, availabilityZone: azName(s.azIndex), mapPublicIpOnLaunch: false });
        expect(input<Record<string, string>>(r, "tags")).to.deep.equal({ Name: `${stack}-${s.tier}-${s.azIndex + 1}`, Tier: s.tier });
      }
    });

    it("routes the public table's 0.0.0.0/0 to the internet gateway, and associates every public subnet with it", () => {
      const igw = ofType(ev, T.igw);
      expect(igw).to.have.length(1);
      const publicRt = byName(ev, T.rt, `${stack}-public`);
      const routes = ofType(ev, T.route).filter((r) => r.inputs.routeTableId === publicRt.id);
      expect(routes.map((r) => r.inputs)).to.deep.equal([{ routeTableId: publicRt.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw[0].id }]);
      const assoc = ofType(ev, T.rta).filter((a) => a.inputs.routeTableId === publicRt.id);
      expect(assoc.map((a) => a.inputs.subnetId)).to.deep.equal(plan.subnets.filter((s) => s.tier === "public").map((s) => byName(ev, T.subnet, `${stack}-public-${s.azIndex + 1}`).id));
    });

    it("gives the isolated tier one route table with no route at all (not to the internet, not via NAT)", () => {
      const isolated = ofType(ev, T.rt).filter((r) => (r.inputs.tags as Record<string, string>).Tier === "isolated");
      expect(isolated).to.have.length(1);
      const isolatedIds = new Set(isolated.map((r) => r.id));
      const routes = ofType(ev, T.route).filter((r) => isolatedIds.has(r.inputs.routeTableId as string));
      expect(routes.filter((r) => r.inputs.destinationCidrBlock === "0.0.0.0/0")).to.deep.equal([]);
      expect(routes.filter((r) => r.inputs.gatewayId || r.inputs.natGatewayId || r.inputs.networkInterfaceId)).to.deep.equal([]);
    });

    it(`gives the private tier ${want.azs} route tables, one per AZ, each associated with its AZ's subnet`, () => {
      for (let az = 0; az < want.azs; az++) {
        const rt = byName(ev, T.rt, `${stack}-private-${az + 1}`);
        const assoc = ofType(ev, T.rta).filter((a) => a.inputs.routeTableId === rt.id);
        expect(assoc.map((a) => a.inputs.subnetId)).to.deep.equal([byName(ev, T.subnet, `${stack}-private-${az + 1}`).id]);
      }
    });

    if (want.nat === "perAz") {
      it(`creates ${want.azs} NAT gateways with EIPs, one per AZ's public subnet, and routes each private table to its own AZ's NAT`, () => {
        const nats = ofType(ev, T.nat);
        const eips = ofType(ev, T.eip);
        expect(nats).to.have.length(want.azs);
        expect(eips).to.have.length(want.azs);
        expect(ofType(ev, T.instance)).to.have.length(0);
        for (let az = 0; az < want.azs; az++) {
          const nat = byName(ev, T.nat, `${stack}-nat-${az + 1}`);
          expect(nat.inputs).to.include({
            subnetId: byName(ev, T.subnet, `${stack}-public-${az + 1}`).id,
            allocationId: byName(ev, T.eip, `${stack}-nat-${az + 1}`).id,
            connectivityType: "public",
          });
          const rt = byName(ev, T.rt, `${stack}-private-${az + 1}`);
          const defaults = ofType(ev, T.route).filter((r) => r.inputs.routeTableId === rt.id && r.inputs.destinationCidrBlock === "0.0.0.0/0");
          expect(defaults.map((r) => r.inputs.natGatewayId)).to.deep.equal([nat.id]);
        }
      });
    }

    if (want.nat === "single") {
      it("creates exactly one NAT gateway, in the first AZ, and routes every private table to it", () => {
        const nats = ofType(ev, T.nat);
        expect(nats).to.have.length(1);
        expect(nats[0].inputs.subnetId).to.equal(byName(ev, T.subnet, `${stack}-public-1`).id);
        for (let az = 0; az < want.azs; az++) {
          const rt = byName(ev, T.rt, `${stack}-private-${az + 1}`);
          const defaults = ofType(ev, T.route).filter((r) => r.inputs.routeTableId === rt.id && r.inputs.destinationCidrBlock === "0.0.0.0/0");
          expect(defaults.map((r) => r.inputs.natGatewayId)).to.deep.equal([nats[0].id]);
        }
      });
    }

    if (want.nat === "instance") {
      it("creates no NAT gateway but one NAT instance (Graviton, source/dest check off, IMDSv2, encrypted), and routes private tables to its ENI", () => {
        expect(ofType(ev, T.nat)).to.have.length(0);
        expect(ofType(ev, T.eip)).to.have.length(0);
        const instances = ofType(ev, T.instance);
        expect(instances).to.have.length(1);
        const nat = instances[0];
        expect(nat.name).to.equal(`${stack}-nat-instance`);
        expect(nat.inputs).to.include({ instanceType: "t4g.nano", sourceDestCheck: false, associatePublicIpAddress: true, subnetId: byName(ev, T.subnet, `${stack}-public-1`).id });
        expect(nat.inputs.metadataOptions).to.deep.include({ httpTokens: "required", httpPutResponseHopLimit: 1 });
        expect(nat.inputs.rootBlockDevice).to.deep.include({ encrypted: true, volumeType: "gp3" });
        expect(nat.inputs.ami).to.match(/^ami-[0-9a-f]{17}$/);
        expect(nat.inputs.userData).to.contain(`-s ${want.cidr} -j MASQUERADE`);
        // Only HTTPS: what the private tier's ACL lets out (port 80 was dead, found by platform reach).
        const sgRules = ofType(ev, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
          .concat(ofType(ev, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"))
          .filter((r) => r.name.startsWith(`${stack}-nat-instance-`));
        expect(sgRules.map((r) => [r.name, r.inputs.fromPort, r.inputs.toPort]).sort()).to.deep.equal([
          [`${stack}-nat-instance-in-443`, 443, 443],
          [`${stack}-nat-instance-out-443`, 443, 443],
        ]);
        for (let az = 0; az < want.azs; az++) {
          const rt = byName(ev, T.rt, `${stack}-private-${az + 1}`);
          const defaults = ofType(ev, T.route).filter((r) => r.inputs.routeTableId === rt.id && r.inputs.destinationCidrBlock === "0.0.0.0/0");
          expect(defaults.map((r) => r.inputs.networkInterfaceId)).to.deep.equal([nat.outputs.primaryNetworkInterfaceId]);
        }
      });
    }

    it("creates one NACL per tier, associated with exactly that tier's subnets, with the planner's rules", () => {
      const acls = vpcChildren(ev, T.acl, stack);
      expect(acls.map((a) => a.name).sort()).to.deep.equal([`${stack}-isolated`, `${stack}-private`, `${stack}-public`]);
      for (const tier of ["public", "private", "isolated"] as const) {
        const acl = byName(ev, T.acl, `${stack}-${tier}`);
        const assoc = ofType(ev, T.aclAssoc).filter((a) => a.inputs.networkAclId === acl.id);
        expect(assoc).to.have.length(want.azs);
      }
      // The VPC's own rules are those the planner makes for this VPC (rules in the 400 range belong to peers).
      const own = vpcChildren(ev, T.aclRule, stack);
      expect(own.length).to.be.greaterThan(10);
      for (const r of own) {
        expect(r.inputs.ruleAction).to.equal("allow");
        const open = r.inputs.cidrBlock === "0.0.0.0/0" && r.inputs.egress === false;
        if (open) for (const port of [22, 3389]) expect((r.inputs.fromPort as number) <= port && port <= (r.inputs.toPort as number), r.name).to.equal(false);
      }
      const isolatedAcl = byName(ev, T.acl, `${stack}-isolated`);
      const isolatedIn = own.filter((r) => r.inputs.networkAclId === isolatedAcl.id && r.inputs.egress === false);
      expect(new Set(isolatedIn.map((r) => `${r.inputs.fromPort}-${r.inputs.toPort}`)).size).to.be.lessThanOrEqual(2);
      const basePlan = planNaclRules({ vpcCidr: want.cidr, tierCidrs: plan.tierCidrs, servicePorts: [], databasePort: 5432, managementCidrs: [], sshSourceCidrs: [] });
      for (const rule of basePlan.filter((r) => r.tier !== "private" || r.ruleNumber >= 110)) {
        const found = own.find((r) => r.name === `${stack}-${rule.tier}-${rule.egress ? "out" : "in"}-${rule.ruleNumber}`);
        expect(found, `${rule.tier} ${rule.ruleNumber}`).to.not.equal(undefined);
        expect(found!.inputs).to.include({ ruleNumber: rule.ruleNumber, egress: rule.egress, protocol: "tcp", cidrBlock: rule.cidrBlock, fromPort: rule.fromPort, toPort: rule.toPort });
      }
    });

    it("adopts the default security group and strips every rule", () => {
      const sgs = ofType(ev, T.defaultSg);
      expect(sgs).to.have.length(1);
      expect(sgs[0].inputs).to.deep.include({ ingress: [], egress: [] });
    });

    it(`flow-logs ${want.flowLogTraffic ?? "ALL"} traffic to a pre-created log group with the configured retention, through a least-privilege role`, () => {
      const logs = ofType(ev, T.flowLog);
      expect(logs).to.have.length(1);
      const group = byName(ev, T.logGroup, `${stack}-flow-logs`);
      expect(group.inputs).to.include({ name: `/platform/${stack}/vpc-flow-logs`, retentionInDays: want.flowLogRetention });
      // Encrypted with the environment's logs key, whose policy lets CloudWatch Logs use it only
      // for this environment's log groups.
      const key = byName(ev, "aws:kms/key:Key", `${stack}-logs-key`);
      expect(group.inputs.kmsKeyId).to.equal(key.outputs.arn);
      expect(key.inputs).to.include({ enableKeyRotation: true, deletionWindowInDays: 30 });
      const keyPolicy = JSON.parse(key.inputs.policy as string);
      expect(keyPolicy.Statement[1].Principal).to.deep.equal({ Service: "logs.ap-northeast-2.amazonaws.com" });
      expect(keyPolicy.Statement[1].Condition).to.deep.equal({
        ArnLike: { "kms:EncryptionContext:aws:logs:arn": [`arn:aws:logs:ap-northeast-2:123456789012:log-group:/platform/${stack}/*`] },
      });
      const role = byName(ev, T.role, `${stack}-flow-logs`);
      expect(logs[0].inputs).to.include({ trafficType: want.flowLogTraffic ?? "ALL", logDestinationType: "cloud-watch-logs", logDestination: group.outputs.arn, iamRoleArn: role.outputs.arn });
      const trust = JSON.parse(role.inputs.assumeRolePolicy as string);
      expect(trust.Statement[0].Principal).to.deep.equal({ Service: "vpc-flow-logs.amazonaws.com" });
      expect(trust.Statement[0].Condition).to.deep.equal({ StringEquals: { "aws:SourceAccount": "123456789012" } });
      const policy = ofType(ev, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === `${stack}-flow-logs`)!;
      const doc = JSON.parse(policy.inputs.policy as string);
      // AWS's documented flow-log policy, minus CreateLogGroup (the group is pre-created), scoped to
      // the group; DescribeLogGroups only to this account's and region's log-group space.
      expect(doc).to.deep.equal({
        Version: "2012-10-17",
        Statement: [
          { Sid: "Deliver", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [group.outputs.arn, `${group.outputs.arn}:*`] },
          { Sid: "FindGroup", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "arn:aws:logs:ap-northeast-2:123456789012:log-group:*" },
        ],
      });
    });

    it("adds an S3 gateway endpoint on the private and isolated route tables", () => {
      const s3 = byName(ev, T.endpoint, `${stack}-s3`);
      expect(s3.inputs).to.include({ serviceName: "com.amazonaws.ap-northeast-2.s3", vpcEndpointType: "Gateway" });
      const expected = [...Array.from({ length: want.azs }, (_, az) => byName(ev, T.rt, `${stack}-private-${az + 1}`).id), byName(ev, T.rt, `${stack}-isolated`).id];
      expect(s3.inputs.routeTableIds).to.deep.equal(expected);
    });

    it(`creates the configured interface endpoints (${want.endpoints.length}) in the private subnets with private DNS`, () => {
      const interfaces = ofType(ev, T.endpoint).filter((e) => e.inputs.vpcEndpointType === "Interface");
      expect(interfaces.map((e) => e.inputs.serviceName)).to.deep.equal(want.endpoints.map((s) => `com.amazonaws.ap-northeast-2.${s}`));
      const privateIds = Array.from({ length: want.azs }, (_, az) => byName(ev, T.subnet, `${stack}-private-${az + 1}`).id);
      for (const e of interfaces) expect(e.inputs).to.deep.include({ privateDnsEnabled: true, subnetIds: privateIds });
    });

    it("tags every resource stack-wide through its providers' default tags (one, plus the peer side's across accounts and the edge's us-east-1 one)", () => {
      const providers = ofType(ev, "pulumi:providers:aws");
      // prod's management peering is cross-account: its management side is written through a
      // second provider (`<stack>-shared-peer`) with the same default tags. Stacks behind the edge
      // (staging, prod) have a us-east-1 provider for CloudFront's certificate and WAF, tagged alike.
      const edge = stack === "staging" || stack === "prod" ? [`${stack}-edge-us-east-1`] : [];
      expect(providers.map((p) => p.name)).to.deep.equal(stack === "prod" ? ["aws", ...edge, "prod-shared-peer"] : ["aws", ...edge]);
      for (const p of providers) {
        const raw = p.inputs.defaultTags;
        const defaultTags = (typeof raw === "string" ? JSON.parse(raw) : raw) as { tags: Record<string, string> };
        expect(defaultTags.tags, p.name).to.deep.equal({ ...want.tags, Project: "platform", Environment: stack, ManagedBy: "Pulumi" });
        expect(p.inputs.region).to.equal(edge.includes(p.name) ? "us-east-1" : "ap-northeast-2");
      }
      const providerRef = (r: RecordedResource) => r.provider?.split("::").slice(0, 4).join("::");
      const aws = ev.resources.filter((r) => r.custom && r.type.startsWith("aws:"));
      const root = providers.find((p) => p.name === "aws")!.urn;
      const peering = ofType(ev, "platform:peering:ManagementPeering").map((c) => c.urn);
      const edgeComponents = ofType(ev, "platform:edge:Edge").map((c) => c.urn);
      for (const r of aws) {
        // Only the peering's peer-side children and the edge's children may use a second provider.
        if (peering.includes(r.parent ?? "") || edgeComponents.includes(r.parent ?? "")) expect(providers.map((p) => p.urn), r.name).to.include(providerRef(r));
        else expect(providerRef(r), r.name).to.equal(root);
      }
    });
  });
}
