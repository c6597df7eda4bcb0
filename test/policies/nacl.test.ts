import { policies } from "../../policies/nacl";
import { Fixture } from "../support/policy-harness";
import { policyTests } from "./cases";

const inbound = (n: number, protocol: string, from: number, to: number) => (f: Fixture) => {
  f.add("aws:ec2/networkAclRule:NetworkAclRule", `mutation-${n}`, {
    networkAclId: f.get("prod-public-acl").id, ruleNumber: n, egress: false, protocol, ruleAction: "allow", cidrBlock: "0.0.0.0/0", fromPort: from, toPort: to,
  });
};

policyTests("policies/nacl.ts", policies, [
  {
    policy: "ec2-networkacl-disallow-public-admin-ingress",
    title: "a single ephemeral range from anywhere covers RDP",
    mutate: inbound(300, "tcp", 1024, 65535),
    messages: ["Network ACL rule 300 allows tcp/1024-65535 from 0.0.0.0/0, which includes admin port 3389; narrow the source, or split the port range around 3389."],
  },
  {
    policy: "ec2-networkacl-disallow-public-admin-ingress",
    title: "an inline entry admits SSH",
    mutate: (f) => f.update("prod-isolated-acl", (i) => (i.ingress = [{ ruleNo: 50, action: "allow", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlock: "0.0.0.0/0" }])),
    messages: ["Network ACL rule 50 allows tcp/22 from 0.0.0.0/0, which includes admin port 22; narrow the source, or split the port range around 22."],
  },
  {
    policy: "ec2-networkacl-disallow-public-ftp-ingress",
    title: "FTP is admitted from anywhere",
    mutate: inbound(310, "tcp", 20, 21),
    messages: ["Network ACL rule 310 allows tcp/20-21 from 0.0.0.0/0, which includes FTP port 20, 21; narrow the source, or split the port range around 20, 21."],
  },
  {
    policy: "ec2-networkacl-disallow-public-all-ports-ingress",
    title: "every protocol is admitted from anywhere",
    mutate: inbound(320, "-1", 0, 0),
    messages: ["Network ACL rule 320 allows all traffic from 0.0.0.0/0; allow only the ports the tier serves plus ephemeral return ports."],
    level: "advisory",
  },
  {
    policy: "ec2-networkacl-require-association",
    title: "the isolated NACL loses its associations",
    mutate: (f) => f.remove("prod-isolated-acl-1").remove("prod-isolated-acl-2"),
    messages: ['NetworkAcl "prod-isolated-acl" is not associated with any subnet; associate it with aws.ec2.NetworkAclAssociation or delete it.'],
    level: "advisory",
  },
]);
