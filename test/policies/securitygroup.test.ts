import { policies } from "../../policies/securitygroup";
import { Fixture, FixtureInputs } from "../support/policy-harness";
import { policyTests } from "./cases";
import { addSgRule } from "./fixtures";

const rule = (direction: "Ingress" | "Egress", group: string, inputs: FixtureInputs) => (f: Fixture) => {
  addSgRule(f, direction, "mutation-rule", group, inputs);
};

policyTests("policies/securitygroup.ts", policies, [
  {
    policy: "ec2-securitygroup-disallow-public-admin-ingress",
    title: "port 22 is opened to the world by an ingress rule resource",
    mutate: rule("Ingress", "prod-tasks-sg", { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" }),
    messages: ["Ingress from 0.0.0.0/0 on tcp/22 opens admin port 22 to the internet; restrict the source to known admin CIDRs or use Session Manager instead."],
  },
  {
    policy: "ec2-securitygroup-disallow-public-admin-ingress",
    title: "a port range from ::/0 covers RDP",
    mutate: rule("Ingress", "prod-tasks-sg", { ipProtocol: "tcp", fromPort: 3000, toPort: 4000, cidrIpv6: "::/0" }),
    messages: ["Ingress from ::/0 on tcp/3000-4000 opens admin port 3389 to the internet; restrict the source to known admin CIDRs or use Session Manager instead."],
  },
  {
    policy: "ec2-securitygroup-disallow-public-admin-ingress",
    title: "an inline ingress block opens SSH",
    mutate: (f) => f.update("bastion-sg", (i) => (i.ingress = [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }])),
    messages: ["Ingress from 0.0.0.0/0 on tcp/22 opens admin port 22 to the internet; restrict the source to known admin CIDRs or use Session Manager instead."],
  },
  {
    policy: "ec2-securitygroup-disallow-public-high-risk-ingress",
    title: "MySQL is opened to the world",
    mutate: rule("Ingress", "prod-db-sg", { ipProtocol: "tcp", fromPort: 3306, toPort: 3306, cidrIpv4: "0.0.0.0/0" }),
    messages: ["Ingress from 0.0.0.0/0 on tcp/3306 exposes high-risk port 3306 to the internet; allow only the security groups or CIDRs that need it."],
  },
  {
    policy: "ec2-securitygroup-disallow-public-all-ports-ingress",
    title: "all traffic is admitted from the world",
    mutate: rule("Ingress", "prod-tasks-sg", { ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" }),
    messages: ["Ingress from 0.0.0.0/0 allows all traffic; open only the ports the service needs, never every port to the internet."],
  },
  {
    policy: "ec2-securitygroup-disallow-unrestricted-egress",
    title: "all traffic may leave to the world",
    mutate: rule("Egress", "prod-tasks-sg", { ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" }),
    messages: ["Egress to 0.0.0.0/0 allows all traffic; allow only the ports and destinations the workload needs (for example tcp/443)."],
    level: "advisory",
  },
  {
    policy: "ec2-securitygroup-require-description",
    title: "a group keeps the provider's default description",
    mutate: (f) => f.update("prod-tasks-sg", (i) => (i.description = "Managed by Pulumi")),
    messages: ["Give the security group a description that says what it protects and who may reach it."],
    level: "advisory",
  },
  {
    policy: "ec2-defaultsecuritygroup-disallow-rules",
    title: "the default security group keeps its allow-from-itself rule",
    mutate: (f) => f.update("prod-default", (i) => (i.ingress = [{ protocol: "-1", fromPort: 0, toPort: 0, self: true }])),
    messages: ["The default security group has 1 rule(s); set ingress: [] and egress: [] so nothing can fall back to it."],
  },
  {
    policy: "ec2-securitygroup-disallow-mixed-rule-management",
    title: "a group with standalone rules also declares inline ingress",
    mutate: (f) => f.update("prod-tasks-sg", (i) => (i.ingress = [{ protocol: "tcp", fromPort: 9090, toPort: 9090, cidrBlocks: ["10.30.0.0/16"] }])),
    messages: [
      'SecurityGroup "prod-tasks-sg" declares inline ingress rules and is also targeted by standalone rule resources; move every rule to aws.vpc.SecurityGroupIngressRule/SecurityGroupEgressRule resources, or Pulumi will keep removing one set.',
    ],
  },
  {
    policy: "ec2-securitygroup-require-attachment",
    title: "a group is attached to nothing",
    mutate: (f) => {
      f.add("aws:ec2/securityGroup:SecurityGroup", "orphan", { vpcId: f.get("prod-vpc").id, description: "Nothing uses this" });
    },
    messages: ['SecurityGroup "orphan" is not attached to any resource in the stack; attach it or delete it.'],
    level: "advisory",
  },
  {
    policy: "ec2-securitygroup-require-attachment",
    title: "a run-task group's one-off task definition is gone (only a service-less task definition of its Role vouches for it)",
    mutate: (f) => f.update("prod-db-bootstrap-td", (i) => (i.tags = { Name: "prod-db-bootstrap-td" })),
    messages: ['SecurityGroup "prod-db-bootstrap-sg" is not attached to any resource in the stack; attach it or delete it.'],
    level: "advisory",
  },
]);
