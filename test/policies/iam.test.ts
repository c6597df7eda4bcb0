import { policies } from "../../policies/iam";
import { Fixture } from "../support/policy-harness";
import { policyTests } from "./cases";
import { DB_USER_ARN } from "./fixtures";

const taskPolicy = (statement: Record<string, unknown>) => (f: Fixture) =>
  f.update("prod-task-policy", (i) => (i.policy = JSON.stringify({ Version: "2012-10-17", Statement: [statement] })));

const taskTrust = (statement: Record<string, unknown>) => (f: Fixture) =>
  f.update("prod-task", (i) => (i.assumeRolePolicy = JSON.stringify({ Version: "2012-10-17", Statement: [statement] })));

policyTests("policies/iam.ts", policies, [
  {
    policy: "iam-policy-disallow-unscoped-db-connect",
    title: "the task role may log in as any database user on any cluster",
    mutate: taskPolicy({ Effect: "Allow", Action: "rds-db:connect", Resource: "*" }),
    messages: [
      'The policy allows rds-db:connect on "*"; name each database user: arn:aws:rds-db:<region>:<account>:dbuser:<cluster resource id>/<user>.',
    ],
  },
  {
    policy: "iam-policy-disallow-unscoped-db-connect",
    title: "the task role may log in as every user of its cluster (dbuser:<id>/*)",
    mutate: taskPolicy({ Effect: "Allow", Action: ["rds-db:connect"], Resource: [DB_USER_ARN, DB_USER_ARN.replace(/\/svc_app$/, "/*")] }),
    messages: [
      `The policy allows rds-db:connect on "${DB_USER_ARN.replace(/\/svc_app$/, "/*")}"; name each database user: arn:aws:rds-db:<region>:<account>:dbuser:<cluster resource id>/<user>.`,
    ],
  },
  {
    policy: "iam-policy-disallow-unscoped-db-connect",
    title: "a wildcard action reaches rds-db:connect on a cluster-wide ARN",
    mutate: taskPolicy({ Effect: "Allow", Action: "rds-db:*", Resource: "arn:aws:rds-db:ap-northeast-2:123456789012:dbuser:*" }),
    messages: [
      'The policy allows rds-db:connect on "arn:aws:rds-db:ap-northeast-2:123456789012:dbuser:*"; name each database user: arn:aws:rds-db:<region>:<account>:dbuser:<cluster resource id>/<user>.',
    ],
  },
  {
    policy: "iam-policy-disallow-admin-access",
    title: "the task role may do anything",
    mutate: taskPolicy({ Effect: "Allow", Action: "*", Resource: "*" }),
    messages: ["The policy allows every action on every resource; grant only the actions and resources the role needs."],
  },
  {
    policy: "iam-policy-disallow-admin-access",
    title: "AdministratorAccess is attached",
    mutate: (f) => f.update("prod-task-execution-policy", (i) => (i.policyArn = "arn:aws:iam::aws:policy/AdministratorAccess")),
    messages: ["AdministratorAccess is attached; attach a customer-managed policy with only the permissions needed."],
  },
  {
    policy: "iam-policy-disallow-wildcards",
    title: "a policy grants a whole service",
    mutate: taskPolicy({ Effect: "Allow", Action: ["s3:*"], Resource: "arn:aws:s3:::prod-assets/*" }),
    messages: ['The policy grants "s3:*"; list the specific actions instead.'],
  },
  {
    policy: "iam-policy-disallow-wildcards",
    title: "a scopable action is granted on every resource",
    mutate: taskPolicy({ Effect: "Allow", Action: ["s3:GetObject", "ecr:GetAuthorizationToken"], Resource: "*" }),
    messages: ['The policy allows s3:GetObject on Resource "*"; scope them to the ARNs they act on.'],
  },
  {
    policy: "iam-policy-disallow-kms-decrypt-all",
    title: "the task role may decrypt with every key",
    mutate: taskPolicy({ Effect: "Allow", Action: "kms:Decrypt", Resource: "*" }),
    messages: ["The policy allows kms:Decrypt on every key; scope it to the ARNs of the keys the role uses."],
  },
  {
    policy: "iam-role-disallow-aws-managed-policies",
    title: "an AWS-managed policy is attached",
    mutate: (f) => {
      f.add("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "prod-task-s3", { role: f.get("prod-task").attr("name"), policyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" });
    },
    messages: ["AWS-managed policy AmazonS3FullAccess is attached; replace it with a customer-managed policy scoped to this workload."],
    level: "advisory",
  },
  {
    policy: "iam-role-require-scoped-trust-policy",
    title: "ECS tasks of any account may assume the task role",
    mutate: taskTrust({ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }),
    messages: ["The trust policy lets ecs-tasks.amazonaws.com assume the role for any account; add a condition on aws:SourceAccount or aws:SourceArn."],
  },
  {
    policy: "iam-role-require-scoped-trust-policy",
    title: "anyone may assume the role",
    mutate: taskTrust({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }),
    messages: ['The trust policy lets any principal ("*") assume the role; name the service or role that may.'],
  },
  {
    policy: "iam-role-require-scoped-trust-policy",
    title: "a GitHub OIDC role accepts any repository",
    mutate: taskTrust({
      Effect: "Allow",
      Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" } },
    }),
    messages: [
      "The trust policy lets arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com tokens assume the role without constraining the subject; add a condition on the :sub claim.",
    ],
  },
  {
    policy: "iam-user-disallow-creation",
    title: "an IAM user is created",
    mutate: (f) => {
      f.add("aws:iam/user:User", "ci", { name: "ci" });
    },
    messages: ["IAM users and access keys are long-lived credentials; use a role (instance profile, task role or OIDC) instead."],
    level: "advisory",
  },
  {
    policy: "iam-role-disallow-mixed-policy-management",
    title: "a role with RolePolicy resources also sets inlinePolicies",
    mutate: (f) =>
      f.update("prod-task", (i) => (i.inlinePolicies = [{ name: "extra", policy: JSON.stringify({ Version: "2012-10-17", Statement: [] }) }])),
    messages: ['Role "prod-task" sets inlinePolicies and also has aws.iam.RolePolicy resources; use only aws.iam.RolePolicy.'],
  },
]);
