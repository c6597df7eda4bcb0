import { expect } from "chai";
import { Evaluation, RecordedResource, ofType } from "../../../cli/evaluate/harness";
import { engineConfigFor } from "../../../cli/evaluate/stack-config";
import { SSM_MANAGED_INSTANCE_CORE } from "../../../infra/shared/iam";
import { evaluateShipped, evaluateStack } from "../../support/stacks";

const T = {
  sg: "aws:ec2/securityGroup:SecurityGroup",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  lt: "aws:ec2/launchTemplate:LaunchTemplate",
  asg: "aws:autoscaling/group:Group",
  role: "aws:iam/role:Role",
  attach: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  profile: "aws:iam/instanceProfile:InstanceProfile",
  subnet: "aws:ec2/subnet:Subnet",
};

const one = (ev: Evaluation, type: string, name: string): RecordedResource => {
  const found = ofType(ev, type).filter((r) => r.name === name);
  expect(found, `${type} ${name}`).to.have.length(1);
  return found[0];
};

describe("bastion component in the shared stack (Session Manager only)", () => {
  let ev: Evaluation;
  before(async () => {
    ev = await evaluateShipped("shared");
  });

  it("is a launch template plus an auto scaling group of exactly one instance", () => {
    const asg = one(ev, T.asg, "shared-bastion-asg");
    const lt = one(ev, T.lt, "shared-bastion-lt");
    expect(asg.inputs).to.include({ minSize: 1, maxSize: 1, desiredCapacity: 1, healthCheckType: "EC2" });
    expect(asg.inputs.launchTemplate).to.deep.equal({ id: lt.id, version: "1" });
    expect(asg.inputs.instanceRefresh).to.deep.equal({ strategy: "Rolling", preferences: { minHealthyPercentage: 0 } });
    expect(asg.parent).to.equal("urn:pulumi:shared::platform::platform:bastion:Bastion::shared-bastion");
  });

  it("sits in the private subnets with no public IP", () => {
    const asg = one(ev, T.asg, "shared-bastion-asg");
    const privateIds = ["shared-private-1", "shared-private-2"].map((n) => one(ev, T.subnet, n).id);
    expect(asg.inputs.vpcZoneIdentifiers).to.deep.equal(privateIds);
    const lt = one(ev, T.lt, "shared-bastion-lt");
    expect((lt.inputs.networkInterfaces as Array<Record<string, unknown>>)[0]).to.include({ associatePublicIpAddress: "false" });
  });

  it("requires IMDSv2 with hop limit 1, encrypts its gp3 root volume, and uses the looked-up AL2023 arm64 AMI", () => {
    const lt = one(ev, T.lt, "shared-bastion-lt");
    expect(lt.inputs.metadataOptions).to.deep.equal({ httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" });
    expect(lt.inputs.blockDeviceMappings).to.deep.equal([
      { deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeType: "gp3", volumeSize: 8, deleteOnTermination: "true" } },
    ]);
    expect(lt.inputs.imageId).to.match(/^ami-[0-9a-f]{17}$/);
    expect(lt.inputs.instanceType).to.equal("t4g.nano");
  });

  it("has a security group whose only ingress is SSH from the office range over the VPN, and only HTTPS egress", () => {
    const sg = one(ev, T.sg, "shared-bastion-sg");
    expect(sg.inputs.ingress ?? []).to.deep.equal([]);
    const ingress = ofType(ev, T.ingress).filter((r) => r.inputs.securityGroupId === sg.id);
    expect(ingress.map((r) => [r.name, r.inputs.ipProtocol, r.inputs.fromPort, r.inputs.toPort, r.inputs.cidrIpv4])).to.deep.equal([
      ["shared-bastion-office-192-168-0-0-20-22", "tcp", 22, 22, "192.168.0.0/20"],
    ]);
    const egress = ofType(ev, T.egress).filter((r) => r.inputs.securityGroupId === sg.id);
    expect(egress.map((r) => [r.inputs.ipProtocol, r.inputs.fromPort, r.inputs.toPort, r.inputs.cidrIpv4])).to.deep.equal([["tcp", 443, 443, "0.0.0.0/0"]]);
    expect(ev.outputs.bastionSecurityGroupId).to.equal(sg.id);
  });

  it("has an instance profile whose role carries only the SSM managed policy", () => {
    const role = one(ev, T.role, "shared-bastion-role");
    expect(JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0].Principal).to.deep.equal({ Service: "ec2.amazonaws.com" });
    const attachments = ofType(ev, T.attach).filter((a) => a.inputs.role === role.outputs.name);
    expect(attachments.map((a) => a.inputs.policyArn)).to.deep.equal([SSM_MANAGED_INSTANCE_CORE]);
    const profile = one(ev, T.profile, "shared-bastion-profile");
    const lt = one(ev, T.lt, "shared-bastion-lt");
    expect(lt.inputs.iamInstanceProfile).to.deep.equal({ arn: profile.outputs.arn });
  });

  it("tags the instances it launches with the stack-wide tags (default tags do not reach ASG launches)", () => {
    const lt = one(ev, T.lt, "shared-bastion-lt");
    const specs = lt.inputs.tagSpecifications as Array<{ resourceType: string; tags: Record<string, string> }>;
    expect(specs.map((s) => s.resourceType)).to.deep.equal(["instance", "volume"]);
    expect(specs[0].tags).to.deep.include({ Project: "platform", Environment: "shared", ManagedBy: "Pulumi", Name: "shared-bastion", Role: "bastion" });
  });
});

describe("bastion with SSH opted in from an office CIDR", () => {
  let ev: Evaluation;
  before(async () => {
    // Without the office VPN, whose range the group would admit too (tested in test/infra/vpn).
    ev = await evaluateStack("shared", {}, ({ "platform:vpn": _vpn, ...config }) => ({
      ...config,
      "platform:bastion": JSON.stringify({ enabled: true, sshCidrs: ["203.0.113.0/24"] }),
    }));
  });

  it("opens 22 only from that CIDR and moves to the public subnets with a public IP", () => {
    const sg = one(ev, T.sg, "shared-bastion-sg");
    const ingress = ofType(ev, T.ingress).filter((r) => r.inputs.securityGroupId === sg.id);
    expect(ingress.map((r) => [r.inputs.ipProtocol, r.inputs.fromPort, r.inputs.toPort, r.inputs.cidrIpv4])).to.deep.equal([["tcp", 22, 22, "203.0.113.0/24"]]);
    const asg = one(ev, T.asg, "shared-bastion-asg");
    expect(asg.inputs.vpcZoneIdentifiers).to.deep.equal(["shared-public-1", "shared-public-2"].map((n) => one(ev, T.subnet, n).id));
    const lt = one(ev, T.lt, "shared-bastion-lt");
    expect((lt.inputs.networkInterfaces as Array<Record<string, unknown>>)[0]).to.include({ associatePublicIpAddress: "true" });
  });
});

describe("bastion is off by default", () => {
  it("creates no bastion in the dev stack", async () => {
    expect(JSON.parse(engineConfigFor("dev")["platform:bastion"] ?? "{}").enabled ?? false).to.equal(false);
    const ev = await evaluateShipped("dev");
    expect(ofType(ev, T.asg)).to.have.length(0);
    expect(ofType(ev, T.lt)).to.have.length(0);
  });
});
