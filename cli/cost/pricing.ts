import { z } from "zod";
import shippedPrices from "./prices.json";

/**
 * The price table `platform cost` ships as data (cli/cost/prices.json), and how it is read.
 *
 * Every entry carries its `source` and the `asOf` date of that source; entries nobody has
 * confirmed against the AWS Price List offer file say `verified: false`, and every report that
 * used one lists it. A region missing from the table is an error, never a guess from another
 * region: Seoul prices run 10-30 % above us-east-1.
 *
 * Price keys (one table per region):
 *
 * | key | unit | what AWS bills |
 * |---|---|---|
 * | `nat-gateway-hour` / `nat-gateway-gb` | hours / GB | NAT gateway provisioned hour; data processed |
 * | `alb-hour` / `alb-lcu-hour` | hours / LCU-hours | Application Load Balancer hour; load balancer capacity units |
 * | `public-ipv4-hour` | hours | every public IPv4 address (EIP, auto-assigned, ALB node) |
 * | `ec2-instance-hour:<type>` | hours | on-demand Linux instance |
 * | `ebs-gb-month:<volumeType>` | GB-months | EBS volume storage |
 * | `fargate-vcpu-hour:<arch>` / `fargate-gb-hour:<arch>` | vCPU-hours / GB-hours | Fargate, arch `x86_64` or `arm64` |
 * | `fargate-spot-discount` | fraction | assumed Fargate Spot discount off on-demand (documented assumption) |
 * | `aurora-instance-hour:<class>` | hours | Aurora provisioned instance, Standard storage config |
 * | `aurora-instance-hour-iopt:<class>` | hours | same, I/O-Optimized (else the multiplier below applies) |
 * | `aurora-iopt-instance-multiplier` | factor | I/O-Optimized instance price ÷ Standard |
 * | `aurora-acu-hour` / `aurora-acu-hour-iopt` | ACU-hours | Aurora Serverless v2 capacity |
 * | `aurora-storage-gb-month` / `aurora-storage-gb-month-iopt` | GB-months | Aurora cluster storage |
 * | `aurora-io-million` | 1M requests | Aurora I/O, Standard storage config only |
 * | `aurora-backup-gb-month` | GB-months | backup storage beyond the free allowance |
 * | `vpc-endpoint-hour` / `vpc-endpoint-gb` | hours / GB | interface endpoint per AZ; data processed |
 * | `logs-ingest-gb` / `logs-storage-gb-month` | GB / GB-months | CloudWatch Logs (Standard class) |
 * | `kms-key-month` | months | customer managed KMS key |
 * | `secret-month` | months | Secrets Manager secret |
 * | `ecr-storage-gb-month` | GB-months | ECR private repository storage |
 */

/** Hours in the billing month every estimate uses (AWS's and Infracost's convention). */
export const HOURS_PER_MONTH = 730;

const asOfPattern = /^\d{4}(-\d{2}(-\d{2})?)?$/;

const priceEntrySchema = z
  .object({
    usd: z.number().nonnegative(),
    unit: z.string().min(1),
    source: z.string().min(1),
    asOf: z.string().regex(asOfPattern, "asOf must be YYYY, YYYY-MM or YYYY-MM-DD"),
    verified: z.boolean().optional(),
    note: z.string().optional(),
  })
  .strict();

const priceTableSchema = z.object({
  $comment: z.string().optional(),
  currency: z.literal("USD"),
  hoursPerMonth: z.literal(HOURS_PER_MONTH),
  sources: z.record(z.string(), z.string()).optional(),
  regions: z.record(z.string(), z.record(z.string(), priceEntrySchema)),
});

export interface PriceEntry {
  readonly usd: number;
  readonly unit: string;
  readonly source: string;
  readonly asOf: string;
  /** False when the figure was not confirmed against the AWS Price List. @default true */
  readonly verified?: boolean;
  readonly note?: string;
}

export interface PriceTable {
  readonly currency: "USD";
  readonly hoursPerMonth: number;
  readonly sources?: Readonly<Record<string, string>>;
  readonly regions: Readonly<Record<string, Readonly<Record<string, PriceEntry>>>>;
}

/** Validate a parsed price table (the shipped one, or one passed with `--prices FILE`). */
export function parsePriceTable(data: unknown, origin = "price table"): PriceTable {
  const result = priceTableSchema.safeParse(data);
  if (!result.success) {
    const issues = result.error.issues.map(
      (i) => ` - ${i.path.join(".") || "(root)"}: ${i.message}`,
    );
    throw new Error(`Invalid ${origin}:\n${issues.join("\n")}`);
  }
  return result.data as PriceTable;
}

/** The table shipped in cli/cost/prices.json. */
export function shippedPriceTable(): PriceTable {
  return parsePriceTable(shippedPrices, "cli/cost/prices.json");
}

/** The entries of one region; throws naming the regions the table has. */
export function regionPrices(
  table: PriceTable,
  region: string,
): Readonly<Record<string, PriceEntry>> {
  const prices = table.regions[region];
  if (!prices) {
    const known = Object.keys(table.regions).sort().join(", ");
    throw new Error(
      `No prices for region "${region}" in the price table (it has: ${known}). Add the region's ` +
        `entries from the AWS Price List offer files, or pass --region with one of those.`,
    );
  }
  return prices;
}
