import { DeploymentGraph } from "./graph";
import { PricingContext, lineCounts, money } from "./lines";
import { PriceTable, regionPrices } from "./pricing";
import { FREE_TYPES, RULES } from "./rules";
import { edgeCategoryOf } from "./edge";
import {
  CategoryCost,
  CostReport,
  DeploymentDocument,
  ResourceCost,
  SkippedResource,
} from "./types";
import { nameOfUrn, UsageFile } from "./usage";

export interface EstimateOptions {
  /** AWS region whose prices apply (see region.ts for how the CLI chooses it). */
  readonly region: string;
  readonly prices: PriceTable;
  /** Usage files, lowest precedence first (see usage.ts). */
  readonly usage: readonly UsageFile[];
  /** Stack name for the report; defaults to the stack in the resources' URNs. */
  readonly stack?: string;
}

/**
 * awsx components whose children cost money. Under the mock runtime a remote component is
 * registered without its children, so one found childless cannot be priced and is reported as
 * skipped rather than counted as free.
 */
const BILLABLE_REMOTE_COMPONENTS = new Set([
  "awsx:ec2:Vpc",
  "awsx:lb:ApplicationLoadBalancer",
  "awsx:lb:NetworkLoadBalancer",
  "awsx:ecs:FargateService",
  "awsx:ecs:EC2Service",
]);

/**
 * Monthly cost of everything in a deployment document. Pure: no I/O, no clock, no randomness;
 * the same inputs always give the same report.
 *
 * Invariants:
 *  - monthlyTotal is the sum of the resources' monthly, each the sum of its counting lines
 *    (known price and known usage); lines with unknown usage or price count 0 and are marked.
 *  - every custom AWS resource is accounted for exactly once: estimated, free, or skipped.
 */
export function estimate(doc: DeploymentDocument, opts: EstimateOptions): CostReport {
  const graph = new DeploymentGraph(doc);
  const ctx = new PricingContext(
    opts.region,
    graph,
    regionPrices(opts.prices, opts.region),
    opts.usage,
  );
  const resources: ResourceCost[] = [];
  const skipped: SkippedResource[] = [];
  let free = 0;
  const contextFor = regionalContexts(graph, ctx, opts);

  for (const r of graph.resources) {
    if (r.type.startsWith("pulumi:")) continue; // the stack, providers, StackReferences
    const children = () => graph.childrenOf(r.urn);
    let rule = RULES[r.type];
    if (r.custom === false) {
      // Components cost nothing themselves; their custom children are priced. The exceptions
      // are remote components evaluated without children (see BILLABLE_REMOTE_COMPONENTS).
      if (
        r.type === "awsx:ecr:Repository" &&
        !children().some((c) => c.type === "aws:ecr/repository:Repository")
      ) {
        // priced by its rule below
      } else if (
        BILLABLE_REMOTE_COMPONENTS.has(r.type) &&
        !children().some((c) => c.custom !== false)
      ) {
        skipped.push({
          urn: r.urn,
          type: r.type,
          reason:
            "remote component evaluated without its children: the resources it creates cannot be priced",
        });
        continue;
      } else {
        continue;
      }
    }
    if (!r.type.startsWith("aws:") && !rule) {
      free++; // random, tls, command, …: nothing AWS bills
      continue;
    }
    if (!rule) {
      if (FREE_TYPES.has(r.type)) free++;
      else skipped.push({ urn: r.urn, type: r.type, reason: "no pricing rule for this type" });
      continue;
    }
    const here = contextFor(r);
    const result = rule(r, here);
    if (result.kind === "priced" && here !== ctx) {
      result.notes.push(`priced at ${here.region} prices: its provider creates it in ${here.region}`);
    }
    if (result.kind === "skip") {
      skipped.push({ urn: r.urn, type: r.type, reason: result.reason });
      continue;
    }
    if (result.lines.length === 0) {
      free++;
      continue;
    }
    const monthly = money(result.lines.filter(lineCounts).reduce((a, l) => a + l.monthly, 0));
    resources.push({
      urn: r.urn,
      type: r.type,
      name: nameOfUrn(r.urn),
      monthly,
      lines: result.lines,
      ...(result.notes.length > 0 ? { notes: result.notes } : {}),
    });
  }

  const allLines = resources.flatMap((r) => r.lines);
  const used = new Map(ctx.usedPrices);
  for (const c of contextFor.others()) for (const [k, e] of c.usedPrices) if (!used.get(k)) used.set(k, e);
  const found = [...used.entries()]
    .filter(([, e]) => e !== undefined)
    .map(([k, e]) => ({ key: k, entry: e! }));
  const dates = found.map((f) => f.entry.asOf).sort();
  return {
    stack: opts.stack ?? stackOfDeployment(doc) ?? "unknown",
    region: opts.region,
    currency: "USD",
    monthlyTotal: money(resources.reduce((a, r) => a + r.monthly, 0)),
    resources,
    summary: {
      estimated: resources.length,
      free,
      unsupported: skipped.length,
      usageUnknownLines: allLines.filter((l) => l.usageKnown === false).length,
      priceUnknownLines: allLines.filter((l) => l.priceKnown === false).length,
    },
    skipped,
    byCategory: categorize(resources),
    usageFiles: opts.usage.map((u) => u.label),
    prices: {
      asOfOldest: dates[0] ?? "",
      asOfNewest: dates[dates.length - 1] ?? "",
      unverified: found
        .filter((f) => f.entry.verified === false)
        .map((f) => f.key)
        .sort(),
    },
  };
}

/**
 * The pricing context of the Region a resource is created in. Most resources use the stack's
 * provider, priced at `opts.region`; a resource whose explicit AWS provider names another Region
 * (the edge's us-east-1 provider: CloudFront's certificate, the CLOUDFRONT web ACL, its log groups
 * and their KMS key) is billed at that Region's rates, which differ for CloudWatch Logs (us-east-1
 * $0.50/GB ingested, Seoul $0.76; "Amazon CloudWatch pricing", https://aws.amazon.com/cloudwatch/pricing/).
 * A Region the price table lacks falls back to `opts.region`, as the stack-wide estimate would.
 */
function regionalContexts(
  graph: DeploymentGraph,
  main: PricingContext,
  opts: EstimateOptions,
): ((r: { readonly provider?: string }) => PricingContext) & { readonly others: () => PricingContext[] } {
  const providerRegion = new Map<string, string>();
  for (const p of graph.resources) {
    if (p.type !== "pulumi:providers:aws") continue;
    const region = p.inputs?.region ?? p.outputs?.region;
    if (typeof region === "string" && region !== "") providerRegion.set(`${p.urn}::${p.id ?? ""}`, region);
  }
  const contexts = new Map<string, PricingContext>();
  const of = (r: { readonly provider?: string }): PricingContext => {
    const region = r.provider ? providerRegion.get(r.provider) : undefined;
    if (region === undefined || region === opts.region || !opts.prices.regions[region]) return main;
    let c = contexts.get(region);
    if (!c) {
      c = new PricingContext(region, graph, regionPrices(opts.prices, region), opts.usage);
      contexts.set(region, c);
    }
    return c;
  };
  return Object.assign(of, { others: () => [...contexts.values()] });
}

/** The stack named in the deployment's URNs (`urn:pulumi:<stack>::…`). */
export function stackOfDeployment(doc: DeploymentDocument): string | undefined {
  for (const r of doc.deployment.resources ?? []) {
    const m = /^urn:pulumi:([^:]+)::/.exec(r.urn);
    if (m) return m[1];
  }
  return undefined;
}

/** Service family of a priced type, for the by-category summary. */
export function categoryOf(type: string): string {
  const edge = edgeCategoryOf(type);
  if (edge) return edge;
  switch (type) {
    case "aws:ec2/natGateway:NatGateway":
    case "aws:ec2/eip:Eip":
      return "NAT and public IPv4";
    case "aws:ec2/vpcEndpoint:VpcEndpoint":
      return "VPC endpoints";
    case "aws:ec2/instance:Instance":
    case "aws:autoscaling/group:Group":
      return "EC2 (NAT instance, bastion)";
    case "aws:lb/loadBalancer:LoadBalancer":
    case "aws:alb/loadBalancer:LoadBalancer":
      return "Load balancing";
    case "aws:ecs/service:Service":
    case "aws:ecs/cluster:Cluster":
      return "ECS on Fargate";
    case "aws:rds/cluster:Cluster":
    case "aws:rds/clusterInstance:ClusterInstance":
      return "Aurora";
    case "aws:cloudwatch/logGroup:LogGroup":
      return "CloudWatch Logs";
    case "aws:kms/key:Key":
    case "aws:secretsmanager/secret:Secret":
      return "KMS and Secrets Manager";
    case "aws:ecr/repository:Repository":
    case "awsx:ecr:Repository":
      return "ECR";
    case "aws:s3/bucket:Bucket":
      return "S3";
    case "aws:ec2/vpnConnection:VpnConnection":
      return "Site-to-Site VPN";
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      return "CloudWatch alarms";
    case "aws:elasticache/replicationGroup:ReplicationGroup":
      return "ElastiCache";
    default:
      return "Other";
  }
}

function categorize(resources: readonly ResourceCost[]): CategoryCost[] {
  const acc = new Map<string, { monthly: number; resources: number }>();
  for (const r of resources) {
    const c = categoryOf(r.type);
    const cur = acc.get(c) ?? { monthly: 0, resources: 0 };
    acc.set(c, { monthly: cur.monthly + r.monthly, resources: cur.resources + 1 });
  }
  return [...acc.entries()]
    .map(([category, v]) => ({ category, monthly: money(v.monthly), resources: v.resources }))
    .sort((a, b) => b.monthly - a.monthly || a.category.localeCompare(b.category));
}
