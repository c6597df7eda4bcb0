import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { ALLOWED_ACCOUNT_IDS_KEY } from "../../infra/config";
import { DEFAULT_REGION } from "../../infra/config/regions";
import { PlatformConfigSchema } from "../../infra/config/schema";
import { KeyDoc, keyDocs } from "./jsdoc";

/**
 * docs/configuration.md, rendered from the config schema: every `platform:*` key with its type,
 * default, allowed values and description. Types, defaults, enums and bounds come from the zod
 * schemas (`z.toJSONSchema`, input side, so a key with a default is optional); descriptions from
 * each key's JSDoc (./jsdoc.ts) or a `.describe()`; "allowed" texts from the `params.allowed` of
 * the schemas' refinements, the same text a config error prints. Deterministic: same code, same
 * bytes.
 */

type JsonSchema = {
  readonly type?: string;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly default?: unknown;
  readonly description?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: JsonSchema | boolean;
  readonly items?: JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
};

/** The files whose JSDoc documents the schema: the root schema and every section's config.ts. */
export function configSourceFiles(repoRoot: string): string[] {
  const infra = path.join(repoRoot, "infra");
  const files = [path.join(infra, "config", "schema.ts")];
  for (const dir of fs.readdirSync(infra).sort()) {
    const f = path.join(infra, dir, "config.ts");
    if (fs.existsSync(f)) files.push(f);
    // Sub-sections a config.ts imports from a sibling (infra/app/release-config.ts).
    const dirPath = path.join(infra, dir);
    if (fs.statSync(dirPath).isDirectory()) {
      for (const extra of fs.readdirSync(dirPath).filter((n) => n.endsWith("-config.ts")).sort()) files.push(path.join(dirPath, extra));
    }
  }
  return files;
}

interface ZodInternals {
  readonly _zod: {
    readonly def: {
      readonly type: string;
      readonly innerType?: ZodInternals;
      readonly in?: ZodInternals;
      readonly shape?: Readonly<Record<string, ZodInternals>>;
      readonly element?: ZodInternals;
      readonly valueType?: ZodInternals;
      readonly options?: readonly ZodInternals[];
      readonly checks?: readonly { readonly _zod: { readonly def: { readonly check: string; readonly params?: { readonly allowed?: unknown } } } }[];
    };
  };
}

/** `params.allowed` of every refinement, by key path (the texts config errors print). */
export function refinementTexts(schema: z.ZodType): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (at: string, text: string) => {
    const list = out.get(at) ?? [];
    if (!list.includes(text)) list.push(text);
    out.set(at, list);
  };
  const walk = (s: ZodInternals, at: string): void => {
    const def = s._zod.def;
    for (const c of def.checks ?? []) {
      const allowed = c._zod.def.check === "custom" ? c._zod.def.params?.allowed : undefined;
      if (typeof allowed === "string") add(at, allowed);
    }
    if (def.innerType) walk(def.innerType, at);
    if (def.in) walk(def.in, at);
    if (def.shape) for (const [k, v] of Object.entries(def.shape)) walk(v, at === "" ? k : `${at}.${k}`);
    if (def.element) walk(def.element, `${at}[]`);
    if (def.type === "record" && def.valueType) walk(def.valueType, `${at}.*`);
    for (const o of def.options ?? []) walk(o, at);
  };
  walk(schema as unknown as ZodInternals, "");
  return out;
}

const SAFE = Number.MAX_SAFE_INTEGER;

function cell(s: string): string {
  return s.replace(/\|/g, "\\|");
}

function code(v: unknown): string {
  const text = typeof v === "string" ? v : JSON.stringify(v);
  return `\`${text}\``;
}

function range(lo: number | undefined, hi: number | undefined): string {
  const min = lo !== undefined && lo > -SAFE ? lo : undefined;
  const max = hi !== undefined && hi < SAFE ? hi : undefined;
  if (min !== undefined && max !== undefined) return ` ${min}–${max}`;
  if (min !== undefined) return ` ≥ ${min}`;
  if (max !== undefined) return ` ≤ ${max}`;
  return "";
}

/** A one-line type: `integer 8–100`, `none | single`, `list of string (1+)`, `map string → string`. */
export function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => code(v)).join(" | ");
  if (s.const !== undefined) return code(s.const);
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return alts.map(typeOf).join(" or ");
  switch (s.type) {
    case "integer":
    case "number":
      return `${s.type}${range(s.minimum ?? s.exclusiveMinimum, s.maximum ?? s.exclusiveMaximum)}`;
    case "string": {
      const len = range(s.minLength, s.maxLength);
      return len === "" ? "string" : `string (length${len})`;
    }
    case "boolean":
      return "boolean";
    case "array": {
      const item = s.items ? (s.items.properties ? "objects (keys below)" : typeOf(s.items)) : "anything";
      const n = range(s.minItems, s.maxItems);
      return `list of ${item}${n === "" ? "" : ` (items${n})`}`;
    }
    case "object":
      if (s.properties) return "object (keys below)";
      if (typeof s.additionalProperties === "object") return `map string → ${typeOf(s.additionalProperties)}`;
      return "object";
    default:
      return "any";
  }
}

function defaultOf(s: JsonSchema, required: boolean, doc: KeyDoc | undefined): string {
  const tag = doc?.default?.replace(/^-\s*/, "");
  if (s.default !== undefined) {
    if (s.properties && typeof s.default === "object" && s.default !== null && Object.keys(s.default).length === 0) {
      return "each key's default";
    }
    const json = JSON.stringify(s.default);
    // The tag often explains the value (`true (dev turns it off)`): keep the explanation.
    if (tag !== undefined && tag.startsWith(json) && tag.length > json.length) return `${code(s.default)}${tag.slice(json.length)}`;
    return code(s.default);
  }
  if (tag !== undefined && tag !== "") return tag;
  return required ? "**required**" : "none (optional)";
}

interface Row {
  readonly key: string;
  readonly type: string;
  readonly default: string;
  readonly description: string;
}

function rows(
  s: JsonSchema,
  at: string,
  display: string,
  docs: ReadonlyMap<string, KeyDoc>,
  allowed: ReadonlyMap<string, readonly string[]>,
): Row[] {
  const out: Row[] = [];
  const object = s.type === "array" && s.items?.properties ? s.items : s.properties ? s : undefined;
  if (!object?.properties) return out;
  const base = object === s ? at : `${at}[]`;
  const shown = object === s ? display : `${display}[]`;
  const required = new Set(object.required ?? []);
  for (const [key, child] of Object.entries(object.properties)) {
    const p = base === "" ? key : `${base}.${key}`;
    const d = `${shown}.${key}`;
    const doc = docs.get(p);
    const text = [child.description ?? doc?.text ?? "", ...(allowed.get(p) ?? []).map((a) => `Allowed: ${a}.`)]
      .filter((t) => t !== "")
      .join(" ");
    out.push({ key: d, type: typeOf(child), default: defaultOf(child, required.has(key), doc), description: text });
    out.push(...rows(child, p, d, docs, allowed));
  }
  return out;
}

const HEADER = `# Configuration reference

<!-- Generated by \`npm run docs\` (cli/docs/config-reference.ts) from the config schema
     (infra/config/schema.ts and each section's infra/<area>/config.ts). Do not edit: change the
     schema or its JSDoc and run \`npm run docs\`. -->

Every key lives in \`environments/Pulumi.<stack>.yaml\` under \`config:\`, the \`platform:\` keys as
structured values. \`infra/config/\` reads every key, applies the defaults below and validates
everything before a single resource is registered. Unknown keys (typos) are errors. A bad config
fails with ONE error listing every problem — the key, the value received, what is allowed, and the
fix — and exit code 2 from \`platform plan\`:

\`\`\`
Invalid configuration for stack "dev" (environments/Pulumi.dev.yaml), 3 problems; nothing was created:
 - platform:network.natStrategy: received "double"; allowed: one of "none", "single", "perAz", "instance"; fix: set platform:network.natStrategy to one of "none", "single", "perAz", "instance" in environments/Pulumi.dev.yaml
 - platform:netwrok: received {}; allowed: the known keys platform:tags, platform:network, ...; fix: rename it to "network" (a typo?) in environments/Pulumi.dev.yaml
 - platform:bastion.sshCidrs[0]: received "0.0.0.0/0"; allowed: an office or VPN CIDR, never the whole internet; fix: replace it with your office's egress range (e.g. "203.0.113.0/24"), or remove sshCidrs from environments/Pulumi.dev.yaml and use Session Manager
\`\`\`

Beyond the shapes below, cross-field rules (AZ count against the region, Aurora instances against
AZs, CPU/memory pairs Fargate accepts, peering overlaps, …) are checked by the sections' validators
in the same pass; their messages say what is allowed. Design notes per area:
[network](network.md), [application tier](app-tier.md), [peering](peering.md).
`;

export function renderConfigurationReference(repoRoot: string): string {
  const json = z.toJSONSchema(PlatformConfigSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const docs = keyDocs(configSourceFiles(repoRoot), "PlatformConfigSchema");
  const allowed = refinementTexts(PlatformConfigSchema);
  const out: string[] = [HEADER];
  out.push("## `aws:region`", "");
  out.push(`The stack's AWS region (the AWS provider's own key). Default: \`${DEFAULT_REGION}\`.`, "");
  // Read outside the zod schema (infra/config/index.ts), as the AWS provider's own key.
  out.push(`## \`${ALLOWED_ACCOUNT_IDS_KEY}\``, "");
  out.push(
    "The only AWS accounts the stack may be deployed into: a non-empty list of 12-digit account ids, each quoted as a string.",
    "The program hands it to its explicit AWS provider, which refuses credentials of any other account; `platform preflight`",
    "groups stacks by it to sum quotas per account. Default: not set, any account (preflight warns).",
    "",
  );
  const required = new Set(json.required ?? []);
  for (const [section, schema] of Object.entries(json.properties ?? {})) {
    const doc = docs.get(section);
    out.push(`## \`platform:${section}\``, "");
    const about = [schema.description ?? doc?.text ?? "", ...(allowed.get(section) ?? []).map((a) => `Allowed: ${a}.`)].filter((t) => t !== "");
    if (about.length > 0) out.push(about.join(" "), "");
    out.push(`Type: ${typeOf(schema)}. Default: ${defaultOf(schema, required.has(section), doc)}.`, "");
    const list = rows(schema, section, `platform:${section}`, docs, allowed);
    if (list.length > 0) {
      out.push("| key | type | default | description |", "|---|---|---|---|");
      for (const r of list) out.push(`| \`${r.key}\` | ${cell(r.type)} | ${cell(r.default)} | ${cell(r.description)} |`);
      out.push("");
    }
  }
  return out.join("\n").replace(/\n+$/, "\n");
}
