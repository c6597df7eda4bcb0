import { list, obj, prop, str } from "./graph";
import { type PricingContext, priced } from "./lines";
import type { Rule } from "./rules";
import type { CostLine } from "./types";

/**
 * Pricing of the edge (infra/edge): CloudFront, its functions, and the CLOUDFRONT web ACL.
 *
 * CloudFront bills data transfer out to viewers per GB and requests per 10,000, at the rate of the
 * edge location that served them; origin fetches from AWS origins (the ALB, S3) are free
 * (https://aws.amazon.com/cloudfront/pricing/). Which locations serve depends on the price class:
 * PriceClass_100 uses only North America, Europe and Israel, so Asian viewers are served (slower)
 * at the US/Europe rate; PriceClass_200 and All add Asia's edges at Asia's rate. The plan cannot
 * know the traffic, so volumes and the Asian share are usage keys. The always-free tier (1 TB and
 * 10 million requests a month per account) is not deducted: it is per account, not per stack.
 *
 * AWS WAF bills $5 per web ACL-month, $1 per rule-month (a managed rule group counts as one rule)
 * and $0.60 per million requests inspected, the same in every Region
 * (https://aws.amazon.com/waf/pricing/).
 */

export const EDGE_USAGE_KEYS: Readonly<Record<string, readonly string[]>> = {
  "aws:cloudfront/distribution:Distribution": ["monthly_data_transfer_out_gb", "monthly_requests_millions", "asia_viewer_share"],
  "aws:wafv2/webAcl:WebAcl": ["monthly_requests_millions"],
  "aws:cloudfront/function:Function": ["monthly_invocations_millions"],
};

/** Types the edge creates that AWS does not bill by themselves. */
export const EDGE_FREE_TYPES: readonly string[] = [
  "aws:cloudfront/originAccessControl:OriginAccessControl",
  "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
  // IP sets are free; the rule that references one is billed on the web ACL.
  "aws:wafv2/ipSet:IpSet",
  // WAF logging is billed on the log group (CloudWatch Logs vended-log ingestion and storage).
  "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
  "aws:cloudwatch/logDeliverySource:LogDeliverySource",
  "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
  "aws:cloudwatch/logDelivery:LogDelivery",
  // The origin secret: a value in state, not an AWS resource.
  "random:index/randomPassword:RandomPassword",
];


/** A usage value, or undefined when the usage files leave it unknown. */
function usage(ctx: PricingContext, r: Parameters<Rule>[0], key: string): number | undefined {
  const v = ctx.usageOf(r, key).value;
  return v === null ? undefined : v;
}

const distribution: Rule = (r, ctx) => {
  const priceClass = str(prop(r, "priceClass")) ?? "PriceClass_All";
  const servesAsia = priceClass !== "PriceClass_100";
  const share = Math.min(1, Math.max(0, usage(ctx, r, "asia_viewer_share") ?? 0));
  const asia = servesAsia ? share : 0;
  const gb = usage(ctx, r, "monthly_data_transfer_out_gb");
  const requests = usage(ctx, r, "monthly_requests_millions");
  const lines: CostLine[] = [];
  const split = (description: string, key: string, total: number | undefined, priceKey: string, scale: number, unit: string) => {
    if (total === undefined) {
      lines.push(ctx.usageUnknown(r, ctx.line(description, 0, `${priceKey}:us-eu`, { unit }), key));
      return;
    }
    lines.push({ ...ctx.line(`${description} (US/Europe edges)`, total * scale * (1 - asia), `${priceKey}:us-eu`, { unit }), usageKey: key });
    if (asia > 0) lines.push({ ...ctx.line(`${description} (Asia edges)`, total * scale * asia, `${priceKey}:asia`, { unit }), usageKey: key });
  };
  split("Data transfer out to viewers", "monthly_data_transfer_out_gb", gb, "cloudfront-dto-gb", 1, "GB");
  // Requests are billed per 10,000: millions × 100.
  split("HTTPS requests", "monthly_requests_millions", requests, "cloudfront-https-requests-10k", 100, "10k requests");
  return priced(lines, [
    !servesAsia && share > 0 ? `${priceClass} has no Asian edge locations: Asian viewers (${share * 100}%) are served from US/Europe edges at their rate, with more latency` : undefined,
    "CloudFront's always-free tier (1 TB, 10 M requests a month per account) is not deducted",
  ]);
};

const webAcl: Rule = (r, ctx) => {
  const rules = list(prop(r, "rules"))?.length ?? 0;
  return priced([
    ctx.line("Web ACL", 1, "waf-web-acl-month", { unit: "months" }),
    ctx.line(`Rules (${rules}; a managed rule group counts as one)`, rules, "waf-rule-month", { unit: "rule-months" }),
    ctx.usageLine(r, "Requests inspected", "monthly_requests_millions", "waf-requests-million", { unit: "million requests" }),
  ], [obj(prop(r, "defaultAction"))?.block !== undefined ? "default action block" : undefined]);
};

const cloudFrontFunction: Rule = (r, ctx) =>
  priced([ctx.usageLine(r, "Invocations", "monthly_invocations_millions", "cloudfront-function-invocations-million", { unit: "million invocations" })]);

export const EDGE_RULES: Readonly<Record<string, Rule>> = {
  "aws:cloudfront/distribution:Distribution": distribution,
  "aws:wafv2/webAcl:WebAcl": webAcl,
  "aws:cloudfront/function:Function": cloudFrontFunction,
};

/** The cost report's category of the edge's priced types. */
export function edgeCategoryOf(type: string): string | undefined {
  return type in EDGE_RULES ? "CloudFront and WAF" : undefined;
}
