import * as fs from "fs";
import { z } from "zod";
import { didYouMean } from "../../cli/contract";
import { MAX_RULE_VALUES, type AlbConfig, type ServiceConfig } from "../app/config";
import { certificateBaseName } from "../app/plan";
import { ConfigProblem } from "../config/problems";
import { parseCidr } from "../network/cidr";
import { retentionDays } from "../network/config";
import { resolveProgramPath } from "../paths";

// ---------------------------------------------------------------------------------------------
// platform:edge: CloudFront + WAF + S3 assets in front of the ALB (docs/edge.md)

/**
 * CloudFront price classes: which edge locations serve the distribution. `PriceClass_100` is the
 * cheapest (North America, Europe, Israel); `PriceClass_200` adds most of Asia (including Korea
 * and Japan), the Middle East and Africa; `PriceClass_All` every location.
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/PriceClass.html
 */
export const PRICE_CLASSES = ["PriceClass_100", "PriceClass_200", "PriceClass_All"] as const;
export type PriceClass = (typeof PRICE_CLASSES)[number];
/** Where a behaviour sends requests: the environment's ALB, or the private assets bucket. */
export const EDGE_ORIGINS = ["alb", "assets"] as const;
export type EdgeOrigin = (typeof EDGE_ORIGINS)[number];
/** `cached`: the managed CachingOptimized policy; `uncached`: CachingDisabled. */
export const CACHE_MODES = ["cached", "uncached"] as const;
export type CacheMode = (typeof CACHE_MODES)[number];
/** `all`: every viewer header (but Host), cookie and query string reaches the origin; `none`: nothing. */
export const FORWARD_MODES = ["all", "none"] as const;
export type ForwardMode = (typeof FORWARD_MODES)[number];
export const FUNCTION_EVENTS = ["viewer-request", "viewer-response"] as const;
export type FunctionEvent = (typeof FUNCTION_EVENTS)[number];

export const DEFAULT_PRICE_CLASS: PriceClass = "PriceClass_100";
/** Requests per 5-minute window per client IP before the rate-based rule blocks (AWS minimum is 10). */
export const DEFAULT_RATE_LIMIT = 2000;
export const DEFAULT_EDGE_LOG_RETENTION_DAYS = 90;
/** The ALB's origin name: `<label>.<platform:alb.domain>`. */
export const DEFAULT_ORIGIN_LABEL = "origin";
/** CloudFront Functions: the code may be at most 10 KB (CloudFront quotas, "Functions"). */
export const FUNCTION_MAX_BYTES = 10_240;

const BehaviourFields = {
  /** `alb` or `assets`. @default "alb" */
  origin: z.string().default("alb"),
  /** `cached` or `uncached`. @default - "uncached" for alb, "cached" for assets */
  cache: z.string().optional(),
  /** `all` (viewer headers except Host, cookies, query strings) or `none`. @default - "all" for alb, "none" for assets */
  forward: z.string().optional(),
  /** A function named in platform:edge.functions, run on this behaviour. @default - none */
  function: z.string().optional(),
};

const EdgeBehaviourSchema = z.strictObject({
  /** CloudFront path pattern, e.g. `/api/*`. Behaviours match in the order written. */
  path: z.string(),
  ...BehaviourFields,
});
export type EdgeBehaviourConfig = z.infer<typeof EdgeBehaviourSchema>;

const EdgeFunctionSchema = z.strictObject({
  /** JavaScript file (cloudfront-js-2.0), relative to the repository root, e.g. `edge/functions/spa-rewrite.js`. */
  file: z.string(),
  /** `viewer-request` or `viewer-response`. @default "viewer-request" */
  eventType: z.string().default("viewer-request"),
});

export const EdgeConfigSchema = z.strictObject({
  /** Put the distribution in front of the ALB. @default true (the section's presence opts in) */
  enabled: z.boolean().default(true),
  /** Names the distribution serves; Route 53 A/AAAA aliases point them at it. @default - platform:alb.domain and its non-wildcard alternativeNames */
  aliases: z.array(z.string()).optional(),
  /** The ALB's name for CloudFront, added to the ALB's certificate. @default - "origin.<platform:alb.domain>" */
  originDomain: z.string().optional(),
  /** PriceClass_100 | PriceClass_200 | PriceClass_All. @default "PriceClass_100" */
  priceClass: z.string().default(DEFAULT_PRICE_CLASS),
  /** The behaviour for every path no other behaviour matches. @default { origin: "alb" } */
  defaultBehaviour: z.strictObject(BehaviourFields).prefault({}),
  /** Path behaviours, matched in this order. @default [] */
  behaviours: z.array(EdgeBehaviourSchema).default([]),
  /** CloudFront Functions by name. @default {} */
  functions: z.record(z.string(), EdgeFunctionSchema).default({}),
  /** The CLOUDFRONT web ACL. @default - managed rule groups and a rate limit of 2000 */
  waf: z
    .strictObject({
      /** Requests per client IP per 5 minutes before blocking. @default 2000 */
      rateLimit: z.number().int().min(10).max(2_000_000_000).default(DEFAULT_RATE_LIMIT),
      /** CIDRs (e.g. the office) always allowed, before every other rule. @default [] */
      allowCidrs: z.array(z.string()).default([]),
      /** CIDRs always blocked. @default [] */
      denyCidrs: z.array(z.string()).default([]),
    })
    .prefault({}),
  /** Retention of the WAF and CloudFront access log groups (us-east-1). @default 90 */
  logRetentionDays: retentionDays.default(DEFAULT_EDGE_LOG_RETENTION_DAYS),
  /** Let `pulumi destroy` delete the assets bucket with its objects. @default false */
  assetsBucketForceDestroy: z.boolean().default(false),
});
export type EdgeConfig = z.infer<typeof EdgeConfigSchema>;

/** One behaviour with every default resolved. */
export interface EdgeBehaviour {
  /** Absent on the default behaviour. */
  readonly path?: string;
  readonly origin: EdgeOrigin;
  readonly cache: CacheMode;
  readonly forward: ForwardMode;
  readonly functionName?: string;
}

export interface EdgeFunction {
  readonly name: string;
  /** Relative to the repository root. */
  readonly file: string;
  readonly eventType: FunctionEvent;
}

/** `platform:edge` resolved against `platform:alb`: what the component builds. */
export interface EdgeSettings {
  readonly aliases: readonly string[];
  readonly hostedZone: string;
  readonly originDomain: string;
  readonly priceClass: PriceClass;
  readonly defaultBehaviour: EdgeBehaviour;
  readonly behaviours: readonly EdgeBehaviour[];
  readonly functions: readonly EdgeFunction[];
  readonly waf: { readonly rateLimit: number; readonly allowCidrs: readonly string[]; readonly denyCidrs: readonly string[] };
  readonly logRetentionDays: number;
  readonly assetsBucketForceDestroy: boolean;
}

function resolveBehaviour(b: { origin: string; cache?: string; forward?: string; function?: string }, path?: string): EdgeBehaviour {
  const origin = b.origin as EdgeOrigin;
  return {
    ...(path !== undefined ? { path } : {}),
    origin,
    cache: (b.cache ?? (origin === "alb" ? "uncached" : "cached")) as CacheMode,
    forward: (b.forward ?? (origin === "alb" ? "all" : "none")) as ForwardMode,
    ...(b.function !== undefined ? { functionName: b.function } : {}),
  };
}

/**
 * The edge a stack builds, or undefined when it has none (no section, or `enabled: false`).
 * Call only on validated config: validateEdgeConfig refuses every value this narrows.
 */
export function resolveEdgeSettings(edge: EdgeConfig | undefined, alb: AlbConfig | undefined): EdgeSettings | undefined {
  if (!edge || !edge.enabled) return undefined;
  if (!alb || alb.domain === undefined || alb.hostedZone === undefined) {
    throw new Error("platform:edge needs platform:alb.domain and hostedZone (config validation should have refused this)");
  }
  return {
    aliases: edge.aliases ?? defaultAliases(alb),
    hostedZone: alb.hostedZone,
    originDomain: edge.originDomain ?? `${DEFAULT_ORIGIN_LABEL}.${alb.domain}`,
    priceClass: edge.priceClass as PriceClass,
    defaultBehaviour: resolveBehaviour(edge.defaultBehaviour),
    behaviours: edge.behaviours.map((b) => resolveBehaviour(b, b.path)),
    functions: Object.entries(edge.functions).map(([name, f]) => ({ name, file: f.file, eventType: f.eventType as FunctionEvent })),
    waf: edge.waf,
    logRetentionDays: edge.logRetentionDays,
    assetsBucketForceDestroy: edge.assetsBucketForceDestroy,
  };
}

/** The names the edge serves by default: the ALB's domain and its non-wildcard alternative names, whose records it takes over. */
export function defaultAliases(alb: Pick<AlbConfig, "domain" | "alternativeNames">): string[] {
  return alb.domain === undefined ? [] : [alb.domain, ...alb.alternativeNames.filter((n) => !n.startsWith("*."))];
}

/** CloudFront path patterns: up to 255 of these characters (CloudFront Developer Guide, "Path pattern"). */
const PATH_PATTERN = /^[A-Za-z0-9_\-.*$/~"'@:+&?]{1,255}$/;
const HOST = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/** CloudFront Function names: 1-64 of [a-zA-Z0-9-_]. */
const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

function oneOf(key: string, value: string, allowed: readonly string[], file: string): ConfigProblem[] {
  if (allowed.includes(value)) return [];
  const guess = didYouMean(value, allowed);
  return [
    {
      key,
      received: value,
      allowed: `one of ${allowed.join(", ")}`,
      fix: guess ? `did you mean "${guess}"? Set ${key} to "${guess}" in ${file}` : `set ${key} to one of ${allowed.join(", ")} in ${file}`,
    },
  ];
}

function behaviourProblems(
  key: string,
  b: { origin: string; cache?: string; forward?: string; function?: string },
  functions: readonly string[],
  file: string,
): ConfigProblem[] {
  const problems = [...oneOf(`${key}.origin`, b.origin, EDGE_ORIGINS, file)];
  if (b.cache !== undefined) problems.push(...oneOf(`${key}.cache`, b.cache, CACHE_MODES, file));
  if (b.forward !== undefined) problems.push(...oneOf(`${key}.forward`, b.forward, FORWARD_MODES, file));
  if (b.origin === "assets" && b.forward === "all") {
    problems.push({
      key: `${key}.forward`,
      received: b.forward,
      allowed: `"none" for the assets origin: S3 serves objects by key and the viewer's Host would break the Origin Access Control signature`,
      fix: `remove ${key}.forward (assets get "none")`,
    });
  }
  if (b.function !== undefined && !functions.includes(b.function)) {
    const guess = didYouMean(b.function, functions);
    problems.push({
      key: `${key}.function`,
      received: b.function,
      allowed: functions.length > 0 ? `a function named in platform:edge.functions (${functions.join(", ")})` : "a function named in platform:edge.functions (none is defined)",
      fix: guess ? `did you mean "${guess}"?` : `define it under platform:edge.functions in ${file}, or remove ${key}.function`,
    });
  }
  return problems;
}

function cidrProblems(key: string, cidrs: readonly string[], file: string, allowWide: boolean): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  cidrs.forEach((cidr, i) => {
    const parsed = parseCidr(cidr);
    if (!parsed) {
      problems.push({ key: `${key}[${i}]`, received: cidr, allowed: "an IPv4 CIDR such as 203.0.113.0/24", fix: `correct it in ${file}` });
    } else if (!allowWide && parsed.prefix < 8) {
      problems.push({
        key: `${key}[${i}]`,
        received: cidr,
        allowed: "a range no wider than /8: an allow list that admits the whole internet bypasses every WAF rule",
        fix: "narrow it to the office's egress range",
      });
    } else if (parsed.prefix === 0) {
      // WAFv2 IP sets take "all IPv4 and IPv6 CIDR ranges except for /0" (AWS WAF API Reference,
      // IPSet.Addresses): CreateIPSet would refuse it at deploy time.
      problems.push({
        key: `${key}[${i}]`,
        received: cidr,
        allowed: "an IPv4 CIDR from /1 to /32: AWS WAF IP sets refuse /0",
        fix: `remove it from ${file} and list the ranges to block (a deny list of everything would block every viewer)`,
      });
    }
  });
  return problems;
}

/**
 * Semantic rules of `platform:edge` (the schema checks shapes): edge needs the ALB's own domain
 * (its certificate must also cover the origin name CloudFront connects to), names inside the
 * hosted zone, values from the closed sets (with a did-you-mean), unique path patterns, function
 * files that exist under the repository root and fit CloudFront's 10 KB, and WAF CIDRs.
 */
export function validateEdgeConfig(
  edge: EdgeConfig | undefined,
  alb: AlbConfig | undefined,
  file: string,
  services: readonly Pick<ServiceConfig, "name" | "routing">[] = [],
): ConfigProblem[] {
  if (!edge || !edge.enabled) return [];
  const problems: ConfigProblem[] = [];
  // Behind the edge the ALB sees Host = the origin name (AllViewerExceptHostHeader), so a host
  // condition never matches; and each rule's origin-secret header condition takes one of the
  // rule's five condition values (ALB quotas, "Condition values per rule").
  services.forEach((svc, i) => {
    if (svc.routing.hosts.length > 0) {
      problems.push({
        key: `platform:services[${i}].routing.hosts`,
        received: svc.routing.hosts,
        allowed: "no host conditions behind the edge: CloudFront sends the ALB Host = the origin name, never the viewer's",
        fix: `route ${svc.name} by path (routing.paths) and, per host, by a CloudFront behaviour, or remove platform:edge`,
      });
    } else if (svc.routing.paths.length + 1 > MAX_RULE_VALUES) {
      problems.push({
        key: `platform:services[${i}].routing.paths`,
        received: svc.routing.paths,
        allowed: `at most ${MAX_RULE_VALUES - 1} paths behind the edge: the origin-secret header condition takes one of a rule's ${MAX_RULE_VALUES} condition values`,
        fix: "use wildcards (/api/*) or split the service",
      });
    }
  });
  if (!alb) {
    return [
      {
        key: "platform:edge",
        received: "set",
        allowed: "only together with platform:alb: CloudFront's dynamic origin is the environment's ALB",
        fix: `add platform:alb (with domain and hostedZone) to ${file}, or remove platform:edge`,
      },
    ];
  }
  if (alb.domain === undefined || alb.hostedZone === undefined) {
    problems.push({
      key: "platform:edge",
      received: "set",
      allowed: "only with platform:alb.domain and hostedZone: the ALB's certificate must also cover the origin name CloudFront connects to",
      fix: `replace platform:alb.certificateArn with domain and hostedZone in ${file}, or remove platform:edge`,
    });
  }
  const zone = alb.hostedZone?.replace(/\.$/, "").toLowerCase();
  const inZone = (n: string) => zone === undefined || certificateBaseName(n) === zone || certificateBaseName(n).endsWith(`.${zone}`);
  (edge.aliases ?? []).forEach((a, i) => {
    const key = `platform:edge.aliases[${i}]`;
    if (!HOST.test(a) || a.startsWith("*.")) {
      problems.push({ key, received: a, allowed: "a DNS name without wildcard (each gets A and AAAA alias records)", fix: 'e.g. "app.example.com"' });
    } else if (!inZone(a)) {
      problems.push({ key, received: a, allowed: `a name inside the hosted zone ${zone}`, fix: "use a name in platform:alb.hostedZone" });
    }
  });
  if (edge.aliases !== undefined && edge.aliases.length === 0) {
    problems.push({ key: "platform:edge.aliases", received: [], allowed: "at least one name", fix: "remove aliases to serve platform:alb.domain" });
  }
  const origin = edge.originDomain ?? (alb.domain !== undefined ? `${DEFAULT_ORIGIN_LABEL}.${alb.domain}` : undefined);
  if (edge.originDomain !== undefined && (!HOST.test(edge.originDomain) || edge.originDomain.startsWith("*.") || !inZone(edge.originDomain))) {
    problems.push({
      key: "platform:edge.originDomain",
      received: edge.originDomain,
      allowed: `a DNS name without wildcard inside the hosted zone ${zone ?? "of platform:alb"}`,
      fix: `remove it (default "${DEFAULT_ORIGIN_LABEL}.<platform:alb.domain>")`,
    });
  }
  if (origin !== undefined && (edge.aliases ?? defaultAliases(alb)).includes(origin)) {
    problems.push({
      key: "platform:edge.originDomain",
      received: origin,
      allowed: "a name different from every alias: the alias points at CloudFront, the origin name at the ALB",
      fix: "choose another originDomain",
    });
  }
  problems.push(...oneOf("platform:edge.priceClass", edge.priceClass, PRICE_CLASSES, file));

  const functions = Object.keys(edge.functions);
  problems.push(...behaviourProblems("platform:edge.defaultBehaviour", edge.defaultBehaviour, functions, file));
  const seen = new Map<string, number>();
  edge.behaviours.forEach((b, i) => {
    const key = `platform:edge.behaviours[${i}]`;
    if (!PATH_PATTERN.test(b.path)) {
      problems.push({ key: `${key}.path`, received: b.path, allowed: "a CloudFront path pattern of up to 255 characters (A-Z a-z 0-9 _ - . * $ / ~ \" ' @ : +, & and ?)", fix: 'e.g. "/api/*"' });
    } else if (b.path === "*" || b.path === "/*") {
      problems.push({ key: `${key}.path`, received: b.path, allowed: "a pattern narrower than everything (that is the default behaviour)", fix: "move its settings to platform:edge.defaultBehaviour" });
    }
    const first = seen.get(b.path);
    if (first !== undefined) {
      problems.push({ key: `${key}.path`, received: b.path, allowed: `a pattern no other behaviour uses (behaviours[${first}] has it)`, fix: "remove one of them" });
    } else seen.set(b.path, i);
    problems.push(...behaviourProblems(key, b, functions, file));
  });

  for (const [name, f] of Object.entries(edge.functions)) {
    const key = `platform:edge.functions.${name}`;
    if (!FUNCTION_NAME.test(name)) {
      problems.push({ key, received: name, allowed: "1-64 letters, digits, hyphens and underscores", fix: "rename the function" });
    }
    problems.push(...oneOf(`${key}.eventType`, f.eventType, FUNCTION_EVENTS, file));
    const resolved = resolveProgramPath(f.file);
    if (!fs.existsSync(resolved) || !fs.statSync(resolved).isFile()) {
      problems.push({
        key: `${key}.file`,
        received: f.file,
        allowed: "a JavaScript file relative to the repository root",
        fix: `create ${f.file}, or correct the path (e.g. "edge/functions/spa-rewrite.js")`,
      });
    } else if (fs.statSync(resolved).size > FUNCTION_MAX_BYTES) {
      problems.push({
        key: `${key}.file`,
        received: f.file,
        allowed: `at most ${FUNCTION_MAX_BYTES} bytes (CloudFront Functions' code size quota)`,
        fix: "shrink the function, or move the logic to the origin",
      });
    }
  }
  if (functions.length > 0) {
    const used = new Set([edge.defaultBehaviour.function, ...edge.behaviours.map((b) => b.function)].filter((f): f is string => f !== undefined));
    for (const name of functions.filter((f) => !used.has(f))) {
      problems.push({ key: `platform:edge.functions.${name}`, received: name, allowed: "a function some behaviour uses", fix: `attach it with function: ${name} on a behaviour, or remove it` });
    }
  }
  problems.push(...cidrProblems("platform:edge.waf.allowCidrs", edge.waf.allowCidrs, file, false));
  problems.push(...cidrProblems("platform:edge.waf.denyCidrs", edge.waf.denyCidrs, file, true));
  return problems;
}
