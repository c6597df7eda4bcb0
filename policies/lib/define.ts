import {
  EnforcementLevel,
  PolicyConfigSchema,
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  Severity,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { StackGraph } from "./graph";
import { Tags, resourceTags } from "./tags";
import { collectingUnknowns } from "./unknowns";

/**
 * Policy builders. Every policy in the pack goes through these so that names, metadata, config
 * defaults and type filtering are handled one way.
 *
 * Naming: `<service>-<resource>-<verb>-<noun>`, verbs from a closed set (STYLE.md).
 * Levels: a policy's own `enforcementLevel` is its production level (the guardrails catalog's Prod
 * column); per-stack files in policies/config/ say where a rule is relaxed.
 */

export const VERBS = ["disallow", "require", "enable", "configure"] as const;

/**
 * What a rule protects. Security rules are mandatory in every stack's config (a test enforces it);
 * reliability and cost rules are the ones a cheaper environment may downgrade to advisory.
 */
export type Category = "security" | "reliability" | "cost" | "operations";

export type Props = Readonly<Record<string, unknown>>;

export interface PolicyMeta<C extends object> {
  readonly name: string;
  /** One sentence: what the policy requires. */
  readonly description: string;
  readonly enforcementLevel: EnforcementLevel;
  readonly category: Category;
  readonly severity: Severity;
  /** Row ids in ../shared/reference/guardrails.md (e.g. "11", "X2"). */
  readonly catalog: readonly string[];
  /** Tunables with their defaults; the CLI fills defaults in, and so does `config()` here. */
  readonly configSchema?: PolicyConfigSchema;
  readonly defaults?: C;
}

/** The view of one resource a resource policy gets (inputs, as `Analyze` sends them). */
export interface ResourceCheck<C> {
  readonly type: string;
  readonly urn: string;
  readonly name: string;
  readonly props: Props;
  readonly config: C;
  /** Own tags merged over the provider's default tags (what AWS will apply). */
  tags(): Tags;
}

export interface StackCheck<C> {
  readonly graph: StackGraph;
  readonly config: C;
}

export type Report = (message: string, urn?: string) => void;

function tagsFor<C extends object>(meta: PolicyMeta<C>): string[] {
  return [meta.category, ...meta.catalog.map((c) => `catalog:${c}`)];
}

function configOf<C extends object>(meta: PolicyMeta<C>, raw: object): C {
  return { ...(meta.defaults ?? ({} as C)), ...(raw as Partial<C>) } as C;
}

/** The fields every policy of the pack declares the same way, from its metadata. */
function header<C extends object>(meta: PolicyMeta<C>) {
  return {
    name: meta.name,
    description: meta.description,
    enforcementLevel: meta.enforcementLevel,
    severity: meta.severity,
    tags: tagsFor(meta),
    ...(meta.configSchema ? { configSchema: meta.configSchema } : {}),
  };
}

/**
 * The resource types each policy of the pack looks at, by policy name: a resource policy's `types`,
 * a stack policy's `appliesTo`. Read by the coverage matrix (docs/development.md, "Coverage of
 * resource kinds"); the pack itself does not use it.
 */
export const POLICY_TYPES = new Map<string, readonly string[]>();

export function resourcePolicy<C extends object = Record<string, never>>(
  meta: PolicyMeta<C> & {
    readonly types: readonly string[];
    readonly validate: (r: ResourceCheck<C>, report: (message: string) => void) => void;
  },
): ResourceValidationPolicy {
  const types = new Set(meta.types);
  POLICY_TYPES.set(meta.name, meta.types);
  return {
    ...header(meta),
    validateResource: (args: ResourceValidationArgs, report) => {
      if (!types.has(args.type)) args.notApplicable(`Policy only applies to ${[...types].join(", ")}`);
      const props = args.props as Props;
      meta.validate(
        {
          type: args.type,
          urn: args.urn,
          name: args.name,
          props,
          config: configOf(meta, args.getConfig<object>()),
          tags: () => resourceTags(props, args.provider?.props as Props | undefined),
        },
        (message) => report(message),
      );
    },
  };
}

export function stackPolicy<C extends object = Record<string, never>>(
  meta: PolicyMeta<C> & {
    /** When none of these types is in the stack the policy reports itself not applicable. */
    readonly appliesTo: readonly string[];
    readonly validate: (s: StackCheck<C>, report: Report) => void;
  },
): StackValidationPolicy {
  POLICY_TYPES.set(meta.name, meta.appliesTo);
  return {
    ...header(meta),
    validateStack: (args: StackValidationArgs, report) => {
      const resources: readonly PolicyResource[] = args.resources;
      if (!resources.some((r) => meta.appliesTo.includes(r.type))) {
        args.notApplicable(`No ${meta.appliesTo.join(" or ")} in the stack`);
      }
      collectingUnknowns(() =>
        meta.validate({ graph: new StackGraph(resources), config: configOf(meta, args.getConfig<object>()) }, report),
      );
    },
  };
}
