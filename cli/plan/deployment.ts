import { createHash } from "crypto";
import { uuidFrom } from "../evaluate/ids";
import { isSecretValue, PropertyMap, PropertyValue, SECRET_SIG, SIG_KEY } from "../evaluate/property-values";
import { ROOT_STACK_TYPE } from "../evaluate/urn";

/**
 * The Pulumi deployment document (`pulumi stack export`), typed after
 * `sdk/go/common/apitype/core.go` and built from recorded registrations. Pure: no Pulumi runtime.
 *
 * Fidelity choices, each mirroring what the engine writes:
 * - Field order follows the Go struct (`ResourceV3`), map keys are sorted (Go's encoding/json sorts
 *   map keys), empty maps/slices and false booleans are omitted (`omitempty`), the file is indented
 *   with four spaces and ends with a newline, as `pulumi stack export` prints it.
 * - Resources are topologically sorted (providers, parents and dependencies first), which the
 *   engine's snapshot integrity check requires; ties break by URN so the order never depends on
 *   promise scheduling.
 * - Default providers (`pulumi:providers:aws::default_7_48_0`) are added the way the engine adds
 *   them: one per package version used by a resource or invoke without an explicit provider, with
 *   the package's config keys and `version` as inputs. StackReference reads use the built-in
 *   `pulumi:providers:pulumi::default`.
 * - Only properties the JSON schema allows are written; resource options the schema has no field
 *   for (ignoreChanges, replaceOnChanges, retainOnDelete, deleteBeforeReplace) travel beside the
 *   document in `ResourceOptionsByUrn`.
 */

export const DEPLOYMENT_SCHEMA_VERSION = 3;
/** Go's zero `time.Time`: what the engine writes when no time is known; keeps files byte-identical. */
export const FIXED_MANIFEST_TIME = "0001-01-01T00:00:00Z";

export { PropertyMap, PropertyValue, SECRET_SIG, SIG_KEY, UNKNOWN as UNKNOWN_VALUE } from "../evaluate/property-values";

export interface PluginInfoV1 {
  readonly name: string;
  readonly path: string;
  readonly type: "analyzer" | "language" | "resource";
  readonly version: string;
}

export interface ManifestV1 {
  readonly time: string;
  readonly magic: string;
  readonly version: string;
  readonly plugins?: PluginInfoV1[];
}

export interface ResourceV3 {
  readonly urn: string;
  readonly custom: boolean;
  readonly delete?: boolean;
  readonly id?: string;
  readonly type: string;
  readonly inputs?: PropertyMap;
  readonly outputs?: PropertyMap;
  readonly parent?: string;
  readonly protect?: boolean;
  readonly external?: boolean;
  readonly dependencies?: string[];
  readonly initErrors?: string[];
  /** `<provider URN>::<provider id>`. */
  readonly provider?: string;
  readonly propertyDependencies?: { [key: string]: string[] };
  readonly pendingReplacement?: boolean;
  readonly additionalSecretOutputs?: string[];
  readonly aliases?: string[];
}

export interface DeploymentV3 {
  readonly manifest: ManifestV1;
  readonly resources?: ResourceV3[];
}

export interface UntypedDeployment {
  readonly version: 3;
  readonly deployment: DeploymentV3;
}

/** Resource options the engine keeps but the deployment schema has no field for. */
export interface ResourceOptions {
  readonly ignoreChanges?: string[];
  readonly replaceOnChanges?: string[];
  readonly deleteBeforeReplace?: boolean;
  readonly retainOnDelete?: boolean;
  readonly deletedWith?: string;
}
export type ResourceOptionsByUrn = Record<string, ResourceOptions>;

/**
 * One registration as the engine would record it, in wire form (cli/evaluate/harness.ts records
 * these; tests build them by hand).
 */
export interface Registration {
  /** URN, engine-built: full parent type chain, root Stack type not prefixed. */
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  /** A `get`/StackReference read rather than a registration (the engine marks these `external`). */
  readonly external: boolean;
  /** Multi-language component (e.g. everything in @pulumi/awsx): its children never run under mocks. */
  readonly remote: boolean;
  readonly id?: string;
  /** URN of the parent, engine-built. */
  readonly parent?: string;
  readonly dependencies: string[];
  readonly propertyDependencies: Record<string, string[]>;
  readonly protect: boolean;
  /** Provider reference `<provider urn>::<provider id>` when the program set one explicitly. */
  readonly provider?: string;
  /** Package version the SDK sent (the engine picks the default provider `default_<version>` from it). */
  readonly version?: string;
  /** Previous URNs (alias specs resolved to URNs the way the engine resolves them). */
  readonly aliases: string[];
  readonly additionalSecretOutputs: string[];
  readonly ignoreChanges: string[];
  readonly replaceOnChanges: string[];
  readonly deleteBeforeReplace?: boolean;
  readonly retainOnDelete?: boolean;
  readonly deletedWith?: string;
  /** Inputs in wire form (protobuf Struct as JSON, special values keyed by the signature key). */
  readonly wireInputs: Record<string, unknown>;
  /**
   * Outputs in wire form. Custom and read resources: the state the mock answered with; components:
   * what they passed to `registerOutputs` (the engine stores exactly that).
   */
  readonly wireOutputs: Record<string, unknown>;
}

export interface BuildInput {
  readonly stack: string;
  readonly project: string;
  /** Engine-shaped config (fully qualified keys, string values): default providers read theirs. */
  readonly config: Readonly<Record<string, string>>;
  readonly registrations: readonly Registration[];
  /** Invokes (token, version) made without an explicit provider. */
  readonly invokes: readonly { readonly token: string; readonly version?: string; readonly provider?: string }[];
  /** Version written in the manifest (see `manifestVersion`). */
  readonly engineVersion: string;
}

export interface BuiltDeployment {
  readonly deployment: UntypedDeployment;
  readonly options: ResourceOptionsByUrn;
}

/**
 * The manifest version: the SDK that ran the program, with build metadata saying it was not the
 * engine (still valid semver for tools that parse it).
 */
export function manifestVersion(sdkVersion: string): string {
  return `v${sdkVersion}+offline-plan`;
}

/** `Manifest.NewMagic` (pkg/resource/deploy/snapshot.go): sha256 of the version, hex. */
export function manifestMagic(version: string): string {
  return version === "" ? "" : createHash("sha256").update(version).digest("hex");
}

function packageOf(type: string): string {
  return type.split(":")[0];
}

/** The engine's default provider name for a package version (`default_7_48_0`, or `default`). */
export function defaultProviderName(version: string | undefined): string {
  return version ? `default_${version.replace(/[.+-]/g, "_")}` : "default";
}

function isProviderType(type: string): boolean {
  return type.startsWith("pulumi:providers:");
}

/**
 * Wire values (protobuf Struct as JSON) to state values. Secrets cannot be encrypted offline; the
 * `ciphertext` holds a digest of the plaintext instead, so a diff still sees a secret change while
 * the file never holds the value. It is not encryption: a guessable secret can be confirmed from it.
 */
export function toStateValue(value: unknown): PropertyValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "boolean" || typeof value === "number" || typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(toStateValue);
  if (typeof value === "object") {
    if (isSecretValue(value)) {
      const digest = createHash("sha256").update(canonicalJson(value.value ?? null)).digest("hex");
      return { [SIG_KEY]: SECRET_SIG, ciphertext: `offline-plan:sha256:${digest}` };
    }
    return toStateMap(value as Record<string, unknown>);
  }
  return String(value);
}

function toStateMap(obj: Record<string, unknown>): PropertyMap {
  const out: PropertyMap = {};
  for (const key of Object.keys(obj).sort()) {
    if (obj[key] === undefined) continue;
    out[key] = toStateValue(obj[key]);
  }
  return out;
}

function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .filter((k) => obj[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(",")}}`;
}

function nonEmptyMap<T>(m: Record<string, T> | undefined): Record<string, T> | undefined {
  return m && Object.keys(m).length > 0 ? m : undefined;
}

function sortedKeys<T>(m: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(m).sort()) out[k] = m[k];
  return out;
}

/** Go struct field order of ResourceV3, with omitempty applied. */
function resourceV3(r: ResourceV3): ResourceV3 {
  const out: Record<string, unknown> = { urn: r.urn, custom: r.custom };
  if (r.id) out.id = r.id;
  out.type = r.type;
  if (r.inputs && Object.keys(r.inputs).length > 0) out.inputs = r.inputs;
  if (r.outputs && Object.keys(r.outputs).length > 0) out.outputs = r.outputs;
  if (r.parent) out.parent = r.parent;
  if (r.protect) out.protect = true;
  if (r.external) out.external = true;
  if (r.dependencies && r.dependencies.length > 0) out.dependencies = r.dependencies;
  if (r.provider) out.provider = r.provider;
  const pd = nonEmptyMap(r.propertyDependencies);
  if (pd) out.propertyDependencies = sortedKeys(pd);
  if (r.additionalSecretOutputs && r.additionalSecretOutputs.length > 0) out.additionalSecretOutputs = r.additionalSecretOutputs;
  if (r.aliases && r.aliases.length > 0) out.aliases = r.aliases;
  return out as unknown as ResourceV3;
}

/**
 * Kahn's algorithm over provider, parent and dependency edges. Among the resources ready at each
 * step the root Stack goes first, then the smallest URN, so the order is a pure function of the
 * graph.
 */
export function topologicalOrder(resources: readonly ResourceV3[]): ResourceV3[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const deps = new Map<string, Set<string>>();
  const dependents = new Map<string, string[]>();
  for (const r of resources) {
    const d = new Set<string>();
    const add = (u: string | undefined) => {
      if (u && u !== r.urn && byUrn.has(u)) d.add(u);
    };
    add(r.parent);
    if (r.provider) add(r.provider.slice(0, r.provider.lastIndexOf("::")));
    for (const u of r.dependencies ?? []) add(u);
    for (const us of Object.values(r.propertyDependencies ?? {})) for (const u of us) add(u);
    deps.set(r.urn, d);
    for (const u of d) {
      const list = dependents.get(u) ?? [];
      list.push(r.urn);
      dependents.set(u, list);
    }
  }
  const rank = (urn: string) => (byUrn.get(urn)?.type === ROOT_STACK_TYPE ? 0 : 1);
  const cmp = (a: string, b: string) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
  const ready = [...resources.filter((r) => deps.get(r.urn)!.size === 0).map((r) => r.urn)].sort(cmp);
  const out: ResourceV3[] = [];
  while (ready.length > 0) {
    const urn = ready.shift()!;
    out.push(byUrn.get(urn)!);
    for (const next of dependents.get(urn) ?? []) {
      const d = deps.get(next)!;
      d.delete(urn);
      if (d.size === 0) {
        // Sorted insert keeps `ready` ordered without re-sorting the whole queue.
        let i = 0;
        while (i < ready.length && cmp(ready[i], next) < 0) i++;
        ready.splice(i, 0, next);
      }
    }
  }
  if (out.length !== resources.length) {
    const stuck = resources.filter((r) => !out.includes(r)).map((r) => r.urn);
    throw new Error(`Dependency cycle among: ${stuck.join(", ")}`);
  }
  return out;
}

export function buildDeployment(input: BuildInput): BuiltDeployment {
  const { stack, project } = input;
  const providers = new Map<string, ResourceV3>();
  const pluginVersions = new Map<string, string>();

  const defaultProviderRef = (pkg: string, version: string | undefined): string => {
    const name = pkg === "pulumi" ? "default" : defaultProviderName(version);
    const urn = `urn:pulumi:${stack}::${project}::pulumi:providers:${pkg}::${name}`;
    const id = uuidFrom(urn);
    if (!providers.has(urn)) {
      const inputs: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(input.config)) {
        if (key.startsWith(`${pkg}:`)) inputs[key.slice(pkg.length + 1)] = value;
      }
      if (version) inputs.version = version;
      const state = toStateMap(inputs);
      providers.set(urn, resourceV3({ urn, custom: true, id, type: `pulumi:providers:${pkg}`, inputs: state, outputs: state }));
    }
    return `${urn}::${id}`;
  };

  const options: ResourceOptionsByUrn = {};
  const resources: ResourceV3[] = [];
  for (const reg of input.registrations) {
    const pkg = packageOf(reg.type);
    if (reg.version && pkg !== "pulumi") pluginVersions.set(pkg, reg.version);
    let provider = reg.provider;
    // The engine gives every custom resource, read and remote component a provider; the SDK sends
    // none when the default one is meant.
    const needsProvider = (reg.custom || reg.remote) && !isProviderType(reg.type);
    if (needsProvider && !provider) provider = defaultProviderRef(pkg, reg.version);
    const opts: ResourceOptions = {
      ...(reg.ignoreChanges.length > 0 ? { ignoreChanges: [...reg.ignoreChanges] } : {}),
      ...(reg.replaceOnChanges.length > 0 ? { replaceOnChanges: [...reg.replaceOnChanges] } : {}),
      ...(reg.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
      ...(reg.retainOnDelete ? { retainOnDelete: true } : {}),
      ...(reg.deletedWith ? { deletedWith: reg.deletedWith } : {}),
    };
    if (Object.keys(opts).length > 0) options[reg.urn] = opts;
    resources.push(
      resourceV3({
        urn: reg.urn,
        custom: reg.custom,
        id: reg.custom ? reg.id : undefined,
        type: reg.type,
        inputs: toStateMap(reg.wireInputs),
        outputs: toStateMap(reg.wireOutputs),
        parent: reg.parent,
        protect: reg.protect,
        external: reg.external,
        dependencies: reg.dependencies,
        provider,
        propertyDependencies: reg.propertyDependencies,
        additionalSecretOutputs: reg.additionalSecretOutputs,
        aliases: reg.aliases,
      }),
    );
  }
  for (const inv of input.invokes) {
    const pkg = packageOf(inv.token);
    if (pkg === "pulumi" || inv.provider) continue;
    if (inv.version) pluginVersions.set(pkg, inv.version);
    defaultProviderRef(pkg, inv.version);
  }

  const version = manifestVersion(input.engineVersion);
  const plugins: PluginInfoV1[] = [...pluginVersions.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, v]) => ({ name, path: "", type: "resource" as const, version: v }));
  const manifest: ManifestV1 = {
    time: FIXED_MANIFEST_TIME,
    magic: manifestMagic(version),
    version,
    ...(plugins.length > 0 ? { plugins } : {}),
  };
  const all = topologicalOrder([...resources, ...providers.values()]);
  return {
    deployment: { version: DEPLOYMENT_SCHEMA_VERSION, deployment: { manifest, ...(all.length > 0 ? { resources: all } : {}) } },
    options,
  };
}

/** An empty stack: the base of a stack that does not exist yet (at a revision, or at all). */
export function emptyDeployment(): UntypedDeployment {
  return { version: DEPLOYMENT_SCHEMA_VERSION, deployment: { manifest: { time: FIXED_MANIFEST_TIME, magic: "", version: "" } } };
}

/** The file `pulumi stack export` would write: four-space indent, trailing newline. */
export function serializeDeployment(doc: UntypedDeployment): string {
  return `${JSON.stringify(doc, null, 4)}\n`;
}

/** The root Stack resource's outputs (the stack outputs), as plain values. */
export function stackOutputsOf(doc: UntypedDeployment): PropertyMap {
  const root = doc.deployment.resources?.find((r) => r.type === ROOT_STACK_TYPE && !r.parent);
  return root?.outputs ?? {};
}
