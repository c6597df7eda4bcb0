import { Policies } from "@pulumi/policy";
import { Props, resourcePolicy, stackPolicy } from "./lib/define";
import { describe, prop } from "./lib/graph";
import { Statement, conditionKeys, grants, statementsOr } from "./lib/iam";
import { list } from "./lib/props";
import { T } from "./lib/types";
import { forEachKnown, peek } from "./lib/unknowns";

/**
 * IAM: the task, execution, instance and flow-log roles and their policies. Documents are read
 * from every place a policy can be written: aws.iam.Policy, RolePolicy, UserPolicy and a role's
 * inline policies.
 */

type P = Props;

export const ADMIN_POLICY_NAMES = ["AdministratorAccess", "IAMFullAccess"];

/** Identity-policy documents a resource carries, with a label for messages. */
function documentsOf(type: string, p: P): Array<{ label: string; doc: unknown }> {
  switch (type) {
    case T.iamPolicy:
    case T.iamRolePolicy:
    case T.iamUserPolicy:
      return [{ label: "The policy", doc: p.policy }];
    case T.iamRole:
      return list(p.inlinePolicies).map((ip) => ({
        label: `Inline policy "${String(ip.name ?? "")}"`,
        doc: ip.policy,
      }));
    default:
      return [];
  }
}

function statementsOrReport(label: string, doc: unknown, report: (m: string) => void): Statement[] {
  if (doc === undefined || doc === null || doc === "") return [];
  return statementsOr(doc, (reason) => report(`${label} ${reason}; build it with JSON.stringify or aws.iam.getPolicyDocument.`));
}

/** Managed policy ARNs a resource attaches. */
function attachedArns(type: string, p: P): string[] {
  if (type === T.iamRole) return Array.isArray(p.managedPolicyArns) ? (p.managedPolicyArns as string[]) : [];
  return typeof p.policyArn === "string" ? [p.policyArn] : [];
}

const DOC_TYPES = [T.iamPolicy, T.iamRolePolicy, T.iamUserPolicy, T.iamRole];
const ATTACH_TYPES = [T.iamRolePolicyAttachment, T.iamPolicyAttachment, T.iamUserPolicyAttachment, T.iamRole];

export const policyDisallowAdminAccess = resourcePolicy({
  name: "iam-policy-disallow-admin-access",
  description: "No policy may grant every action on every resource, and AdministratorAccess or IAMFullAccess may never be attached.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "critical",
  catalog: ["89"],
  types: [...new Set([...DOC_TYPES, ...ATTACH_TYPES])],
  validate: (r, report) => {
    for (const { label, doc } of documentsOf(r.type, r.props)) {
      for (const st of statementsOrReport(label, doc, report)) {
        if (st.effect === "Allow" && st.actions.some((a) => a === "*" || a === "*:*") && st.resources.includes("*")) {
          report(`${label} allows every action on every resource; grant only the actions and resources the role needs.`);
        }
      }
    }
    for (const arn of attachedArns(r.type, r.props)) {
      const name = arn.split("/").pop() ?? "";
      if (arn.startsWith("arn:aws:iam::aws:policy/") && ADMIN_POLICY_NAMES.includes(name)) {
        report(`${name} is attached; attach a customer-managed policy with only the permissions needed.`);
      }
    }
  },
});

/** Actions AWS does not let be scoped to a resource, so Resource "*" is the only option. */
export const DEFAULT_UNSCOPED_ACTIONS = [
  "ecr:GetAuthorizationToken",
  "logs:DescribeLogGroups",
  "ec2:Describe*",
  "ssm:DescribeParameters",
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
  "sts:GetCallerIdentity",
  "cloudwatch:PutMetricData",
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
];

export const policyDisallowWildcards = resourcePolicy<{ unscopedActions: string[] }>({
  name: "iam-policy-disallow-wildcards",
  description: "Policies must name their actions (no \"*\" or \"service:*\") and scope resources, except for actions AWS cannot scope.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["90"],
  configSchema: {
    properties: {
      unscopedActions: {
        type: "array",
        items: { type: "string" },
        default: DEFAULT_UNSCOPED_ACTIONS,
        description: "Actions allowed on Resource \"*\" because they support no resource-level permissions.",
      },
    },
  },
  defaults: { unscopedActions: DEFAULT_UNSCOPED_ACTIONS },
  types: DOC_TYPES,
  validate: (r, report) => {
    const unscoped = r.config.unscopedActions.map((a) => a.toLowerCase());
    for (const { label, doc } of documentsOf(r.type, r.props)) {
      for (const st of statementsOrReport(label, doc, report)) {
        if (st.effect !== "Allow") continue;
        const wild = st.actions.filter((a) => a === "*" || /^[a-z0-9-]+:\*$/i.test(a));
        if (wild.length > 0 || st.notActions.length > 0) {
          report(`${label} grants ${wild.length > 0 ? wild.map((a) => `"${a}"`).join(", ") : "NotAction"}; list the specific actions instead.`);
        }
        if (st.resources.includes("*")) {
          const scopable = st.actions.filter((a) => a !== "*" && !/:\*$/.test(a) && !unscoped.includes(a.toLowerCase()));
          if (scopable.length > 0) {
            report(`${label} allows ${scopable.join(", ")} on Resource "*"; scope them to the ARNs they act on.`);
          }
        }
      }
    }
  },
});

export const policyDisallowKmsDecryptAll = resourcePolicy({
  name: "iam-policy-disallow-kms-decrypt-all",
  description: "No policy may allow kms:Decrypt or kms:ReEncryptFrom on every key.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["88"],
  types: DOC_TYPES,
  validate: (r, report) => {
    for (const { label, doc } of documentsOf(r.type, r.props)) {
      for (const st of statementsOrReport(label, doc, report)) {
        if (st.effect !== "Allow" || !st.resources.includes("*")) continue;
        const hit = ["kms:Decrypt", "kms:ReEncryptFrom"].filter((a) => grants(st, a));
        if (hit.length > 0) report(`${label} allows ${hit.join(" and ")} on every key; scope it to the ARNs of the keys the role uses.`);
      }
    }
  },
});

export const DEFAULT_ALLOWED_AWS_MANAGED = ["AmazonECSTaskExecutionRolePolicy", "AmazonSSMManagedInstanceCore"];

export const roleDisallowAwsManagedPolicies = resourcePolicy<{ allowed: string[] }>({
  name: "iam-role-disallow-aws-managed-policies",
  description: "Roles should use customer-managed policies; AWS-managed ones grant more than a workload needs.",
  enforcementLevel: "advisory",
  category: "security",
  severity: "low",
  catalog: ["91"],
  configSchema: { properties: { allowed: { type: "array", items: { type: "string" }, default: DEFAULT_ALLOWED_AWS_MANAGED } } },
  defaults: { allowed: DEFAULT_ALLOWED_AWS_MANAGED },
  types: ATTACH_TYPES,
  validate: (r, report) => {
    for (const arn of attachedArns(r.type, r.props)) {
      const name = arn.split("/").pop() ?? "";
      if (arn.startsWith("arn:aws:iam::aws:policy/") && !r.config.allowed.includes(name) && !ADMIN_POLICY_NAMES.includes(name)) {
        report(`AWS-managed policy ${name} is attached; replace it with a customer-managed policy scoped to this workload.`);
      }
    }
  },
});

export const DEFAULT_CONFUSED_DEPUTY_SERVICES = [
  "ecs-tasks.amazonaws.com",
  "vpc-flow-logs.amazonaws.com",
  "delivery.logs.amazonaws.com",
  "monitoring.rds.amazonaws.com",
  "logs.amazonaws.com",
];

export const roleRequireScopedTrustPolicy = resourcePolicy<{ servicesRequiringSourceCondition: string[] }>({
  name: "iam-role-require-scoped-trust-policy",
  description: "Trust policies must name who may assume the role: no \"*\", no bare account trust, service principals scoped with aws:SourceAccount or aws:SourceArn, OIDC subjects constrained.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "critical",
  catalog: ["92", "X10"],
  configSchema: {
    properties: {
      servicesRequiringSourceCondition: {
        type: "array",
        items: { type: "string" },
        default: DEFAULT_CONFUSED_DEPUTY_SERVICES,
        description: "Service principals that pass aws:SourceAccount/aws:SourceArn, so their trust must test it.",
      },
    },
  },
  defaults: { servicesRequiringSourceCondition: DEFAULT_CONFUSED_DEPUTY_SERVICES },
  types: [T.iamRole],
  validate: (r, report) => {
    for (const st of statementsOrReport("The trust policy", r.props.assumeRolePolicy, report)) {
      if (st.effect !== "Allow") continue;
      const keys = conditionKeys(st);
      if (st.anyPrincipal) {
        report('The trust policy lets any principal ("*") assume the role; name the service or role that may.');
      }
      for (const p of st.awsPrincipals) {
        if ((/^\d{12}$/.test(p) || /:root$/.test(p)) && keys.length === 0) {
          report(`The trust policy lets all of account ${p.replace(/^arn:aws:iam::(\d+):root$/, "$1")} assume the role; name the role, or add a condition such as aws:PrincipalArn.`);
        }
      }
      for (const s of st.servicePrincipals) {
        if (r.config.servicesRequiringSourceCondition.includes(s) && !keys.includes("aws:sourceaccount") && !keys.includes("aws:sourcearn")) {
          report(`The trust policy lets ${s} assume the role for any account; add a condition on aws:SourceAccount or aws:SourceArn.`);
        }
      }
      if (st.federatedPrincipals.length > 0 && !keys.some((k) => k.endsWith(":sub"))) {
        report(`The trust policy lets ${st.federatedPrincipals.join(", ")} tokens assume the role without constraining the subject; add a condition on the :sub claim.`);
      }
    }
  },
});

export const userDisallowCreation = resourcePolicy({
  name: "iam-user-disallow-creation",
  description: "The platform should create no IAM users or access keys; workloads use roles.",
  enforcementLevel: "advisory",
  category: "security",
  severity: "medium",
  catalog: ["94"],
  types: [T.iamUser, T.iamAccessKey, T.iamUserPolicy, T.iamUserPolicyAttachment],
  validate: (_r, report) => {
    report("IAM users and access keys are long-lived credentials; use a role (instance profile, task role or OIDC) instead.");
  },
});

/**
 * A `rds-db:connect` resource naming one database user on one cluster or instance:
 * `arn:<partition>:rds-db:<region>:<account>:dbuser:<DbiResourceId or DbClusterResourceId>/<user>`
 * (Service Authorization Reference, Amazon RDS IAM Authentication, resource type db-user), with no
 * wildcard anywhere: `dbuser:cluster-X/*` lets the role log in as every user, the master included
 * once it is given rds_iam.
 */
export const DB_USER_ARN = /^arn:aws[a-z-]*:rds-db:[a-z0-9-]+:\d{12}:dbuser:(cluster|db)-[A-Z0-9]+\/[A-Za-z0-9_.@-]+$/;

export const policyDisallowUnscopedDbConnect = resourcePolicy({
  name: "iam-policy-disallow-unscoped-db-connect",
  description: "Policies may allow rds-db:connect only on named database users (dbuser:<resource id>/<user>), never with wildcards.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["90"],
  types: DOC_TYPES,
  validate: (r, report) => {
    for (const { label, doc } of documentsOf(r.type, r.props)) {
      for (const st of statementsOrReport(label, doc, report)) {
        if (st.effect !== "Allow" || !grants(st, "rds-db:connect")) continue;
        const loose = st.notResources.length > 0 ? ["NotResource"] : st.resources.filter((res) => !DB_USER_ARN.test(res));
        if (loose.length > 0) {
          report(
            `${label} allows rds-db:connect on ${loose.map((x) => `"${x}"`).join(", ")}; name each database user: arn:aws:rds-db:<region>:<account>:dbuser:<cluster resource id>/<user>.`,
          );
        }
      }
    }
  },
});

export const roleDisallowMixedPolicyManagement = stackPolicy({
  name: "iam-role-disallow-mixed-policy-management",
  description: "A role's policies must be managed either on the role or through attachment resources, never both.",
  enforcementLevel: "mandatory",
  category: "operations",
  severity: "medium",
  catalog: ["93", "X11"],
  appliesTo: [T.iamRole],
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.iamRole), (role) => {
      const attachments = [...graph.referrers(role, T.iamRolePolicyAttachment, "role"), ...graph.referrers(role, T.iamPolicyAttachment, "roles")];
      const rolePolicies = graph.referrers(role, T.iamRolePolicy, "role");
      // After a deployment the role's outputs list what the attachments added; only the rest is
      // managed on the role itself.
      const attachedArns = new Set(attachments.map((a) => peek(() => prop(a, "policyArn"))).filter((v) => typeof v === "string"));
      const inlineNames = new Set(rolePolicies.map((p) => peek(() => prop(p, "name"))).filter((v) => typeof v === "string"));
      const managed = peek(() => prop(role, "managedPolicyArns"));
      const inline = peek(() => prop(role, "inlinePolicies"));
      const ownManaged = (Array.isArray(managed) ? (managed as string[]) : []).filter((a) => !attachedArns.has(a));
      const ownInline = list(inline).filter((p) => typeof p.name === "string" && p.name !== "" && !inlineNames.has(p.name));
      if (attachments.length > 0 && ownManaged.length > 0) {
        report(`${describe(role)} sets managedPolicyArns and also has policy attachment resources; use only aws.iam.RolePolicyAttachment.`, role.urn);
      }
      if (rolePolicies.length > 0 && ownInline.length > 0) {
        report(`${describe(role)} sets inlinePolicies and also has aws.iam.RolePolicy resources; use only aws.iam.RolePolicy.`, role.urn);
      }
    });
  },
});

export const policies: Policies = [
  policyDisallowAdminAccess,
  policyDisallowWildcards,
  policyDisallowKmsDecryptAll,
  policyDisallowUnscopedDbConnect,
  roleDisallowAwsManagedPolicies,
  roleRequireScopedTrustPolicy,
  userDisallowCreation,
  roleDisallowMixedPolicyManagement,
];
