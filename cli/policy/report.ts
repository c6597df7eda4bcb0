import { createHash } from "crypto";
import type * as sarif from "sarif";
import type { PolicyInfo } from "./config";
import type { CheckResult, Violation } from "./check";

/**
 * Renderings of a check result. Pure: no I/O, deterministic (same input, same bytes), so CI
 * output and code-scanning fingerprints are stable across runs.
 */

export interface ReportContext {
  readonly stack: string;
  /** Repository-relative file a violation is anchored to when the resource has no source position. */
  readonly anchorFile: string;
  /** `sourcePosition` of resources, by URN (`project:///path#line,col`), when the plan has them. */
  readonly sourcePositions?: Readonly<Record<string, string>>;
}

export interface JsonReport {
  readonly stack: string;
  readonly policyPack: { readonly name: string; readonly version: string };
  readonly violations: ReadonlyArray<{ policy: string; level: Violation["level"]; urn: string | null; message: string }>;
  readonly mandatory: number;
  readonly advisory: number;
}

export function counts(result: CheckResult): { mandatory: number; advisory: number } {
  const mandatory = result.violations.filter((v) => v.level === "mandatory").length;
  return { mandatory, advisory: result.violations.length - mandatory };
}

export function toJson(result: CheckResult, stack: string): JsonReport {
  return {
    stack,
    policyPack: result.policyPack,
    violations: result.violations.map((v) => ({ policy: v.policy, level: v.level, urn: v.urn ?? null, message: v.message })),
    ...counts(result),
  };
}

function shortUrn(urn: string | undefined): string {
  if (!urn) return "(stack)";
  const parts = urn.split("::");
  const type = (parts[2] ?? "").split("$").pop() ?? "";
  return `${type}::${parts.slice(3).join("::")}`;
}

export function toText(result: CheckResult, stack: string): string {
  const { mandatory, advisory } = counts(result);
  const lines = [
    `platform check ${stack}: ${result.policyPack.name}@${result.policyPack.version}, ` +
      `${result.policies.length} policies, ${result.resourceCount} resources`,
  ];
  for (const v of result.violations) {
    lines.push("", `${v.level === "mandatory" ? "MANDATORY" : "advisory "}  ${v.policy}  ${shortUrn(v.urn)}`, `           ${v.message}`);
  }
  lines.push(
    "",
    `${mandatory} mandatory, ${advisory} advisory violation${mandatory + advisory === 1 ? "" : "s"}` +
      (mandatory > 0 ? " — fix the mandatory ones to pass." : "."),
  );
  return lines.join("\n") + "\n";
}

/** GitHub's security-severity scale (0–10) for code-scanning severity badges. */
const SECURITY_SEVERITY: Record<NonNullable<PolicyInfo["severity"]>, string> = {
  critical: "9.5",
  high: "8.0",
  medium: "5.5",
  low: "3.0",
};

/** `project:///infra/network/component.ts#120,5` → file and line. */
export function parseSourcePosition(pos: string | undefined): { uri: string; line: number } | undefined {
  const m = pos ? /^project:\/\/\/(.+?)#(\d+)(?:,\d+)?$/.exec(pos) : null;
  return m ? { uri: m[1], line: Number(m[2]) } : undefined;
}

function fingerprint(stack: string, v: Violation): string {
  return createHash("sha256").update(`${stack}\u0000${v.policy}\u0000${v.urn ?? ""}\u0000${v.message}`).digest("hex").slice(0, 32);
}

/**
 * SARIF 2.1.0 as GitHub code scanning ingests it: one run per stack (its category is
 * `automationDetails.id`), rules = the pack's policies, a result per violation at level
 * "error" (mandatory) or "warning" (advisory). Every result has a physical location, which code
 * scanning requires: the resource's source position when the plan records one, else the stack's
 * config file; the URN goes in a logical location.
 */
export function toSarif(result: CheckResult, ctx: ReportContext): sarif.Log {
  const rules: sarif.ReportingDescriptor[] = result.policies.map((p) => ({
    id: p.name,
    name: p.name,
    shortDescription: { text: p.description },
    fullDescription: { text: p.description },
    defaultConfiguration: { level: result.config[p.name]?.enforcementLevel === "mandatory" ? "error" : "warning" },
    help: { text: p.description },
    properties: {
      tags: ["policy-as-code", "pulumi", "aws"],
      ...(p.severity ? { "security-severity": SECURITY_SEVERITY[p.severity] } : {}),
      precision: "high",
    },
  }));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results: sarif.Result[] = result.violations.map((v) => {
    const pos = parseSourcePosition(v.urn ? ctx.sourcePositions?.[v.urn] : undefined);
    return {
      ruleId: v.policy,
      ...(index.has(v.policy) ? { ruleIndex: index.get(v.policy) } : {}),
      level: v.level === "mandatory" ? "error" : "warning",
      message: { text: v.urn ? `${v.message} (${shortUrn(v.urn)})` : v.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: pos?.uri ?? ctx.anchorFile },
            region: { startLine: pos?.line ?? 1 },
          },
          ...(v.urn ? { logicalLocations: [{ fullyQualifiedName: v.urn, kind: "resource" }] } : {}),
        },
      ],
      partialFingerprints: { "platformPolicyViolation/v1": fingerprint(ctx.stack, v) },
      properties: { enforcementLevel: v.level, ...(v.urn ? { urn: v.urn } : {}) },
    };
  });
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: result.policyPack.name,
            version: result.policyPack.version,
            semanticVersion: result.policyPack.version,
            informationUri: "https://www.pulumi.com/docs/iac/packages-and-automation/crossguard/",
            rules,
          },
        },
        automationDetails: { id: `platform-check/${ctx.stack}/` },
        results,
      },
    ],
  };
}
