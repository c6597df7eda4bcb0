import * as fs from "fs";
import * as path from "path";
import { FREE_TYPES, RULES } from "../cost/rules";
import type { DeploymentDocument } from "../cost/types";
import { loadReplaceTable, ruleFor } from "../diff/table";
import { countStack } from "../preflight/count";
import { POLICY_TYPES } from "../../policies/lib/define";
import { REACH_TYPES } from "../../policies/lib/reach/model";
import { STACK_ORDER } from "../../infra/stacks";
import { REPO_ROOT } from "../evaluate/stack-config";
import { planStacks } from "../plan/planner";
import { packModules } from "./policy-reference";

/**
 * The coverage matrix of resource kinds (docs/development.md, "Coverage of resource kinds"): for
 * every resource type the shipped stacks plan, whether each cross-cutting layer knows it. The
 * project's rule (issues #15 and #16) is that a new kind is covered everywhere at once; the matrix
 * is computed from the layers' own tables, and test/docs/coverage.test.ts fails when a planned type
 * lacks a replace entry, a cost classification or a quota decision, or when the committed section
 * differs from this rendering (regenerate: `npm run docs:coverage`).
 */

/**
 * Types the shipped stacks count against no quota, and why. A type that preflight does not count
 * must be listed here, so that adding a kind forces the question "does AWS limit it?".
 */
export const NO_QUOTA: Readonly<Record<string, string>> = {
  "aws:acm/certificateValidation:CertificateValidation": "a waiter, not an AWS resource",
  "aws:appautoscaling/policy:Policy": "none a stack could reach (per-Region scaling policy quotas in the thousands)",
  "aws:appautoscaling/target:Target": "none a stack could reach",
  "aws:cloudfront/function:Function": "not in the reference table (shared/reference/aws-quotas.md)",
  "aws:cloudfront/originAccessControl:OriginAccessControl": "not in the reference table",
  "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": "not in the reference table",
  "aws:cloudwatch/logDelivery:LogDelivery": "not in the reference table",
  "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": "not in the reference table",
  "aws:cloudwatch/logDeliverySource:LogDeliverySource": "not in the reference table",
  "aws:cloudwatch/logGroup:LogGroup": "no documented log group quota (aws-quotas.md: not found)",
  "aws:cloudwatch/metricAlarm:MetricAlarm": "no limit on alarms (CloudWatch service quotas); alarm-actions-per-alarm counts its actions (none shipped)",
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "adopts the VPC's default group, counted on the VPC (security-groups)",
  "aws:ec2/flowLog:FlowLog": "none a stack could reach",
  "aws:ec2/networkAclAssociation:NetworkAclAssociation": "an association, not a resource AWS counts",
  "aws:ec2/routeTableAssociation:RouteTableAssociation": "an association, not a resource AWS counts",
  "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter": "the requester side counts (peering-per-vpc)",
  "aws:ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation": "propagated routes: 100 per route table, not counted (no shipped table near it)",
  "aws:ecs/cluster:Cluster": "clusters per Region: 10,000; not a plausible limit",
  "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": "an association",
  "aws:elasticache/user:User": "not in the reference table",
  "aws:elasticache/userGroup:UserGroup": "not in the reference table",
  "aws:iam/instanceProfile:InstanceProfile": "account-wide IAM quotas (1,000 instance profiles) not counted",
  "aws:iam/role:Role": "account-wide IAM quotas (1,000 roles) not counted",
  "aws:iam/rolePolicy:RolePolicy": "inline policy size per role, not counted",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "managed policies per role (10), not counted",
  "aws:route53/record:Record": "records per hosted zone (10,000), not counted",
  "aws:s3/bucket:Bucket": "general purpose buckets (10,000 per account), not counted",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "a bucket setting",
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "a bucket setting",
  "aws:s3/bucketPolicy:BucketPolicy": "a bucket setting",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "a bucket setting",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "a bucket setting",
  "aws:s3/bucketVersioning:BucketVersioning": "a bucket setting",
  "aws:ssm/parameter:Parameter": "10,000 standard parameters per Region, not counted",
  "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": "one per web ACL",
  "awsx:ecr:Image": "a build and push, not a resource",
  "awsx:ecr:Repository": "repositories per Region (100,000), not counted",
  "random:index/randomPassword:RandomPassword": "not an AWS resource",
};

export interface KindRow {
  readonly type: string;
  /** Stacks that plan it, in stack order. */
  readonly stacks: readonly string[];
  /** The replace-on-change entry: its replacing inputs, "in place", "every input", or undefined when missing. */
  readonly replace?: string;
  readonly replaceVerified: boolean;
  /** "priced" (a rule), "free" (FREE_TYPES, or not an AWS resource), or undefined when unclassified. */
  readonly cost?: "priced" | "free";
  /** Quota ids the shipped plans count it against. */
  readonly quotas: readonly string[];
  readonly policies: readonly string[];
  /** Named by the review's parity table or diagram (cli/review). */
  readonly review: boolean;
  /** Modelled by `platform reach` (policies/lib/reach/model.ts). */
  readonly reach: boolean;
}

/** The types a plan holds that the matrix covers: custom resources and remote components, not the engine's own. */
export function plannedTypes(doc: DeploymentDocument): string[] {
  return (doc.deployment.resources ?? [])
    .filter((r) => !r.type.startsWith("pulumi:") && (r.custom === true || r.provider !== undefined))
    .map((r) => r.type);
}

function replaceSummary(type: string): { text?: string; verified: boolean } {
  const rule = ruleFor(loadReplaceTable(), type);
  if (!rule) return { verified: false };
  const verified = rule.verified !== false;
  if (rule.replace.includes("*")) return { text: rule.except?.length ? `every input but ${rule.except.join(", ")}` : "every input", verified };
  if (rule.replace.length === 0) return { text: "in place", verified };
  const shown = rule.replace.slice(0, 3).join(", ");
  return { text: rule.replace.length > 3 ? `${shown} +${rule.replace.length - 3}` : shown, verified };
}

/** Every file of cli/review, read once: a type the review names appears there as its token. */
function reviewSources(repoRoot: string): string {
  const dir = path.join(repoRoot, "cli", "review");
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => fs.readFileSync(path.join(dir, f), "utf8"))
    .join("\n");
}

/** The types each policy of the pack (policies/index.ts) looks at, loading the pack's modules. */
export function packPolicyTypes(repoRoot: string): Map<string, readonly string[]> {
  const names = packModules(repoRoot).flatMap((m) => m.policies.map((p) => p.name));
  return new Map(names.map((n) => [n, POLICY_TYPES.get(n) ?? []]));
}

/** The matrix over shipped plans by stack name (in stack order). */
export function coverageRows(
  plans: ReadonlyMap<string, DeploymentDocument>,
  repoRoot: string,
  policyTypes: ReadonlyMap<string, readonly string[]> = packPolicyTypes(repoRoot),
): KindRow[] {
  const stacksOf = new Map<string, string[]>();
  const quotasOf = new Map<string, Set<string>>();
  for (const [stack, doc] of plans) {
    for (const t of plannedTypes(doc)) {
      const list = stacksOf.get(t) ?? [];
      if (!list.includes(stack)) list.push(stack);
      stacksOf.set(t, list);
    }
    for (const c of countStack(doc, stack).contributions) {
      if (c.type === undefined) continue;
      const set = quotasOf.get(c.type) ?? new Set<string>();
      set.add(c.quota);
      quotasOf.set(c.type, set);
    }
  }
  const review = reviewSources(repoRoot);
  const reachTypes = new Set(Object.values(REACH_TYPES).flatMap((v): string[] => (Array.isArray(v) ? [...v] : [v as string])));
  return [...stacksOf.keys()].sort().map((type) => {
    const replace = replaceSummary(type);
    const cost = type in RULES ? "priced" : FREE_TYPES.has(type) || !(type.startsWith("aws:") || type.startsWith("awsx:")) ? "free" : undefined;
    return {
      type,
      stacks: stacksOf.get(type)!,
      ...(replace.text !== undefined ? { replace: replace.text } : {}),
      replaceVerified: replace.verified,
      ...(cost ? { cost } : {}),
      quotas: [...(quotasOf.get(type) ?? [])].sort(),
      policies: [...policyTypes.entries()].filter(([, types]) => types.includes(type)).map(([name]) => name).sort(),
      review: review.includes(`"${type}"`),
      reach: reachTypes.has(type),
    };
  });
}

/** What a row lacks that the project's rule requires: a replace entry, a cost classification, a quota or a reason for none. */
export function coverageGaps(rows: readonly KindRow[]): string[] {
  const gaps: string[] = [];
  for (const r of rows) {
    if (r.replace === undefined) gaps.push(`${r.type}: no entry in cli/diff/replace-on-change.json`);
    if (r.cost === undefined) gaps.push(`${r.type}: neither priced (cli/cost/rules.ts RULES) nor listed free (FREE_TYPES)`);
    if (r.quotas.length === 0 && NO_QUOTA[r.type] === undefined) gaps.push(`${r.type}: counted against no quota and not in NO_QUOTA (cli/docs/coverage.ts) with the reason`);
    if (r.quotas.length > 0 && NO_QUOTA[r.type] !== undefined) gaps.push(`${r.type}: counted against ${r.quotas.join(", ")} but also listed in NO_QUOTA`);
  }
  return gaps;
}

export const COVERAGE_START = "<!-- kind-coverage:start -->\n";
export const COVERAGE_END = "<!-- kind-coverage:end -->";

const STACK_LETTER: Readonly<Record<string, string>> = { shared: "S", dev: "D", staging: "T", prod: "P" };

/** The Markdown table between the markers of docs/development.md. */
export function renderCoverage(rows: readonly KindRow[]): string {
  const out = [
    "| type | stacks | replaces on | cost | quotas (shipped counts) | policies | review | reach |",
    "|---|---|---|---|---|---:|---|---|",
  ];
  for (const r of rows) {
    const quota = r.quotas.length > 0 ? r.quotas.join(", ") : `— ${NO_QUOTA[r.type] ?? "**missing**"}`;
    out.push(
      [
        `\`${r.type}\``,
        r.stacks.map((s) => STACK_LETTER[s] ?? s).join(""),
        r.replace === undefined ? "**missing**" : `${r.replace}${r.replaceVerified ? "" : " (docs)"}`,
        r.cost ?? "**missing**",
        quota,
        String(r.policies.length),
        r.review ? "yes" : "—",
        r.reach ? "yes" : "—",
      ].join(" | ").replace(/^/, "| ") + " |",
    );
  }
  return `${out.join("\n")}\n`;
}

/** docs/development.md with the section between the markers replaced by `table`. */
export function withCoverage(doc: string, table: string): string {
  const start = doc.indexOf(COVERAGE_START);
  const end = doc.indexOf(COVERAGE_END);
  if (start < 0 || end < start) throw new Error(`docs/development.md has no ${COVERAGE_START.trim()} … ${COVERAGE_END} markers`);
  return doc.slice(0, start + COVERAGE_START.length) + table + doc.slice(end);
}

/** `npm run docs:coverage`: plan the shipped stacks and rewrite the section of docs/development.md. */
async function main(): Promise<number> {
  const plans = await planStacks(STACK_ORDER);
  const docs = new Map(STACK_ORDER.map((s) => [s, plans.get(s)!.deployment as unknown as DeploymentDocument]));
  const rows = coverageRows(docs, REPO_ROOT);
  const file = path.join(REPO_ROOT, "docs", "development.md");
  fs.writeFileSync(file, withCoverage(fs.readFileSync(file, "utf8"), renderCoverage(rows)));
  process.stdout.write(`wrote docs/development.md (${rows.length} resource kinds)\n`);
  for (const g of coverageGaps(rows)) process.stderr.write(`gap: ${g}\n`);
  return coverageGaps(rows).length > 0 ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(2);
    },
  );
}
