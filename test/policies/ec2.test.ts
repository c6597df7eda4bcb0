import { expect } from "chai";
import { policies } from "../../policies/ec2";
import { checkFixture, messagesOf } from "../support/policy-harness";
import { policyTests } from "./cases";
import { prodFixture } from "./fixtures";

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

policyTests("policies/ec2.ts", policies, [
  {
    policy: "ec2-instance-require-imdsv2",
    title: "the bastion template allows IMDSv1",
    mutate: (f) => f.update("bastion-lt", (i) => (i.metadataOptions = { httpEndpoint: "enabled", httpTokens: "optional", httpPutResponseHopLimit: 1 })),
    messages: ['Launch template does not require IMDSv2; set metadataOptions.httpTokens: "required".'],
  },
  {
    policy: "ec2-instance-configure-imds-hop-limit",
    title: "containers could reach the metadata service",
    mutate: (f) => f.update("bastion-lt", (i) => (i.metadataOptions = { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 })),
    messages: ["Launch template allows a metadata hop limit above 1; set metadataOptions.httpPutResponseHopLimit: 1."],
    level: "advisory",
  },
  {
    policy: "ec2-instance-disallow-public-ip",
    title: "the bastion gets a public IP",
    mutate: (f) =>
      f.update("bastion-lt", (i) => (i.networkInterfaces = [{ associatePublicIpAddress: "true", securityGroups: [f.get("bastion-sg").id] }])),
    messages: [
      "Launch template gets a public IPv4 address; launch it without one and reach it through Session Manager, or exempt its Role tag in this stack's policy config.",
    ],
  },
  {
    policy: "ec2-instance-require-encrypted-volumes",
    title: "the bastion's root volume is unencrypted",
    mutate: (f) => f.update("bastion-lt", (i) => (i.blockDeviceMappings = [{ deviceName: "/dev/xvda", ebs: { encrypted: "false", volumeSize: 8 } }])),
    messages: ['Launch template volume /dev/xvda is not encrypted; set ebs.encrypted: "true".'],
  },
  {
    policy: "ec2-instance-require-encrypted-volumes",
    title: "a launch template leaves its volumes to the AMI",
    mutate: (f) => f.update("bastion-lt", (i) => delete i.blockDeviceMappings),
    messages: [
      'Launch template does not declare its volumes, so they inherit the AMI\'s (unencrypted) snapshot settings; add blockDeviceMappings with ebs.encrypted: "true".',
    ],
  },
  {
    policy: "ec2-instance-enable-detailed-monitoring",
    title: "detailed monitoring is off",
    mutate: (f) => f.update("bastion-lt", (i) => (i.monitoring = { enabled: false })),
    messages: ["Launch template has detailed monitoring off; set monitoring to enabled for one-minute metrics."],
    level: "advisory",
  },
  {
    policy: "ec2-instance-require-instance-profile",
    title: "the bastion has no role",
    mutate: (f) => f.update("bastion-lt", (i) => delete i.iamInstanceProfile),
    messages: ["Launch template has no instance profile; attach a role through iamInstanceProfile (Session Manager needs one too)."],
  },
  {
    policy: "ec2-instance-disallow-secrets-in-user-data",
    title: "user data exports a password",
    mutate: (f) => f.update("bastion-lt", (i) => (i.userData = b64("#!/bin/bash\nexport DB_PASSWORD=hunter2hunter2\n"))),
    messages: ["User data contains a password or token assignment; fetch secrets at boot from Secrets Manager or SSM Parameter Store through the instance role."],
  },
  {
    policy: "ec2-instance-disallow-secrets-in-user-data",
    title: "an instance's user data embeds an access key",
    mutate: (f) => {
      f.add("aws:ec2/instance:Instance", "leaky", {
        ami: "ami-0123456789abcdef0", instanceType: "t4g.nano", subnetId: f.get("prod-private-1").id, iamInstanceProfile: "x",
        metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 }, rootBlockDevice: { encrypted: true }, monitoring: true,
        userData: "#!/bin/bash\naws configure set aws_access_key_id AKIAABCDEFGHIJKLMNOP\n",
      });
    },
    messages: ["User data contains an AWS access key id; fetch secrets at boot from Secrets Manager or SSM Parameter Store through the instance role."],
  },
]);

describe("policies/ec2.ts exemptions", function () {
  this.timeout(120000);
  it("with Role=nat (exempt by default), a NAT instance may have a public IP and no source/destination check", async () => {
    const f = prodFixture();
    const nat = f.add("aws:ec2/instance:Instance", "nat-instance", {
      ami: "ami-0123456789abcdef0", instanceType: "t4g.nano", subnetId: f.get("prod-public-1").id, associatePublicIpAddress: true, sourceDestCheck: false,
      iamInstanceProfile: "nat", metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 }, rootBlockDevice: { encrypted: true }, monitoring: true,
      tags: { Name: "nat", Role: "nat" },
    });
    f.update("prod-private-1-default", (i) => {
      delete i.natGatewayId;
      i.networkInterfaceId = nat.attr("primaryNetworkInterfaceId");
    });
    const result = await checkFixture(f, { config: "prod" });
    expect(messagesOf(result, "ec2-instance-disallow-public-ip")).to.deep.equal([]);
    expect(messagesOf(result, "ec2-instance-disallow-source-dest-check-bypass")).to.deep.equal([]);
    expect(messagesOf(result, "ec2-subnet-require-nat-route")).to.deep.equal([]);
    // A NAT instance is a single-AZ, single-box path: fine for dev, not for prod.
    expect(messagesOf(result, "ec2-natgateway-require-per-az")).to.deep.equal([
      'Subnet "prod-private-1" routes 0.0.0.0/0 through a NAT instance; use one NAT gateway per AZ.',
    ]);
  });
});
