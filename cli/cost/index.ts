/**
 * Offline monthly cost estimates from Pulumi deployment documents.
 *
 *   estimate(deployment, {region, prices, usage}) → CostReport       (pure)
 *   compareCosts(base, head)                      → CostDiff         (pure)
 *   render*(…)                                    → text | md | json (pure)
 *
 * I/O (reading plans, usage files, stack config) lives in cli/commands/cost.ts and load.ts.
 */
export { estimate, stackOfDeployment } from "./estimate";
export type { EstimateOptions } from "./estimate";
export { compareCosts } from "./compare";
export { HOURS_PER_MONTH, parsePriceTable, regionPrices, shippedPriceTable } from "./pricing";
export type { PriceEntry, PriceTable } from "./pricing";
export { lookupUsage, parseUsageFile, validateUsageKeys } from "./usage";
export type { UsageFile, UsageLookup, UsageValue } from "./usage";
export { USAGE_KEYS, FREE_TYPES, parseTaskSize, splitTasks } from "./rules";
export { regionFromDeployment } from "./region";
export {
  costChangeSentence,
  renderDiff,
  renderDiffMarkdown,
  renderDiffText,
  renderReport,
  renderReportJson,
  renderReportMarkdown,
  renderReportText,
  usd,
} from "./render";
export type { CostFormat } from "./render";
export {
  chooseRegion,
  defaultUsagePath,
  estimateStack,
  loadPriceTable,
  loadUsageFiles,
  parseDeploymentDocument,
  stackUsagePath,
} from "./load";
export type { StackCostOptions } from "./load";
export type * from "./types";
