import { createHash } from "crypto";
import * as fs from "fs";
import { PolicyPackSession } from "../../cli/policy/analyzer";
import { CheckResult, POLICY_PACK_DIR, Violation, policyConfigPath, runPolicyCheck } from "../../cli/policy/check";
import { PolicyPackConfig, parsePolicyPackConfig } from "../../cli/policy/config";
import { DeploymentDocument, PropertyMap, PropertyValue, ResourceV3, UNKNOWN } from "../../cli/policy/deployment";
import { ID_PREFIX } from "../../cli/evaluate/ids";

/**
 * The policy test harness: build fixture resources the way a plan or `pulumi stack export` holds
 * them (engine URNs, parents, provider references, property dependencies), and run the real pack
 * over them through the same analyzer gRPC path `pulumi preview --policy-pack` uses. Nothing here
 * calls a policy function directly, so a test that passes means the pack loads and behaves that
 * way under the Pulumi CLI too.
 *
 *   const f = new Fixture({ stack: "prod" });
 *   const vpc = f.add("aws:ec2/vpc:Vpc", "main", { cidrBlock: "10.0.0.0/16" });
 *   f.add("aws:ec2/subnet:Subnet", "a", { vpcId: vpc.id, cidrBlock: "10.0.0.0/24" });
 *   const result = await checkFixture(f, { config: "prod" });
 *   expect(messagesOf(result, "ec2-vpc-require-flow-logs")).to.deep.equal([...]);
 *
 * One pack process serves every test file a mocha process runs (it takes seconds to compile).
 * In a serial run it is stopped by a root-level `after` hook. Under `mocha --parallel` this module
 * is loaded once per worker and stays cached while the worker runs file after file, so a
 * root-level hook registered at load time belongs to the worker's first file only: closing there
 * would make every later file start a pack of its own. A worker keeps its pack until it exits;
 * PolicyPackSession kills it then (cli/policy/analyzer.ts), and test/support/no-leaks.test.ts
 * checks that nothing survives a run.
 */

let session: Promise<PolicyPackSession> | undefined;

/**
 * The pack this process's tests run: the platform's, unless PLATFORM_TEST_POLICY_PACK_DIR names
 * another. Only test/support/no-leaks.test.ts sets it, for the child mocha it runs over a
 * one-policy pack that starts in a second: what it tests is the pack process's lifetime.
 */
const PACK_DIR = process.env.PLATFORM_TEST_POLICY_PACK_DIR ?? POLICY_PACK_DIR;

/** The shared pack process, started on first use. */
export function policyPack(): Promise<PolicyPackSession> {
  session ??= PolicyPackSession.start({ packDir: PACK_DIR });
  return session;
}

/** True in a `mocha --parallel` worker (mocha/lib/nodejs/worker.cjs, forked by workerpool). */
export const IN_MOCHA_WORKER = /[\\/]mocha[\\/]lib[\\/]nodejs[\\/]worker\.c?js$/.test(process.argv[1] ?? "");

after(async function () {
  this.timeout(30000);
  if (session && !IN_MOCHA_WORKER) {
    const s = await session.catch(() => undefined);
    session = undefined;
    await s?.close();
  }
});

/** policies/config/<stack>.json, parsed. */
export function stackPolicyConfig(stack: string): PolicyPackConfig {
  const file = policyConfigPath(stack);
  return parsePolicyPackConfig(fs.readFileSync(file, "utf8"), file);
}

// --- fixtures ---------------------------------------------------------------------------------

/** A reference to another fixture resource's attribute; becomes a value plus a property dependency. */
export class Ref {
  constructor(
    readonly target: FixtureResource,
    readonly attribute: string,
  ) {}
}

export type FixtureValue = PropertyValue | Ref | FixtureValue[] | { [key: string]: FixtureValue };
export type FixtureInputs = Record<string, FixtureValue>;

export interface AddOptions {
  readonly parent?: FixtureResource;
  /** Attributes AWS computes (arn, name, …), merged into outputs. */
  readonly outputs?: FixtureInputs;
  /** Custom resources get the stack's provider; components and providers none. */
  readonly custom?: boolean;
  readonly provider?: FixtureResource;
}

export class FixtureResource {
  constructor(
    readonly fixture: Fixture,
    readonly type: string,
    readonly name: string,
    public inputs: FixtureInputs,
    readonly options: AddOptions,
  ) {}

  get urn(): string {
    return this.fixture.urnOf(this);
  }

  get id(): Ref {
    return new Ref(this, "id");
  }

  get arn(): Ref {
    return new Ref(this, "arn");
  }

  attr(name: string): Ref {
    return new Ref(this, name);
  }
}

export interface FixtureOptions {
  readonly stack?: string;
  readonly project?: string;
  /**
   * Preview mode: ids and ARNs of the fixture's resources are unknown, as in a real
   * `pulumi preview` of resources not created yet.
   */
  readonly preview?: boolean;
}

/** A stack's worth of fixture resources; `build()` gives the deployment document. */
export class Fixture {
  readonly stack: string;
  readonly project: string;
  readonly preview: boolean;
  private readonly resources: FixtureResource[] = [];
  private readonly byName = new Map<string, FixtureResource>();
  /** The stack's AWS provider (custom resources reference it). */
  provider?: FixtureResource;

  constructor(options: FixtureOptions = {}) {
    this.stack = options.stack ?? "prod";
    this.project = options.project ?? "platform";
    this.preview = options.preview ?? false;
  }

  urnOf(r: FixtureResource): string {
    const chain: string[] = [];
    for (let p = r.options.parent; p; p = p.options.parent) chain.unshift(p.type);
    return `urn:pulumi:${this.stack}::${this.project}::${[...chain, r.type].join("$")}::${r.name}`;
  }

  /** Registers the stack's explicit AWS provider, with defaultTags as the engine stores them (a JSON string). */
  addProvider(name: string, inputs: { region: string; defaultTags?: { tags: Record<string, string> } }): FixtureResource {
    const p = this.add("pulumi:providers:aws", name, {
      region: inputs.region,
      ...(inputs.defaultTags ? { defaultTags: JSON.stringify(inputs.defaultTags) } : {}),
    }, { custom: true });
    this.provider = p;
    return p;
  }

  add(type: string, name: string, inputs: FixtureInputs = {}, options: AddOptions = {}): FixtureResource {
    if (this.byName.has(name)) throw new Error(`fixture already has a resource named "${name}"`);
    const r = new FixtureResource(this, type, name, inputs, options);
    this.resources.push(r);
    this.byName.set(name, r);
    return r;
  }

  get(name: string): FixtureResource {
    const r = this.byName.get(name);
    if (!r) throw new Error(`fixture has no resource named "${name}"`);
    return r;
  }

  /** Replaces inputs of a resource (mutation tests change one field at a time). */
  update(name: string, change: (inputs: FixtureInputs) => void): this {
    change(this.get(name).inputs);
    return this;
  }

  remove(name: string): this {
    const r = this.get(name);
    this.resources.splice(this.resources.indexOf(r), 1);
    this.byName.delete(name);
    return this;
  }

  /** The id/arn a resource would have; deterministic, AWS-shaped. */
  valueOf(r: FixtureResource, attribute: string): PropertyValue {
    if (this.preview && (attribute === "id" || attribute === "arn")) return UNKNOWN;
    const explicit = r.options.outputs?.[attribute];
    if (explicit !== undefined && !(explicit instanceof Ref)) return explicit as PropertyValue;
    const own = r.inputs[attribute];
    if (own !== undefined && !(own instanceof Ref)) return own as PropertyValue;
    const h = createHash("sha256").update(`${r.type}::${r.name}`).digest("hex");
    if (attribute === "id") return `${ID_PREFIX[r.type] ?? `${r.name}-`}${h.slice(0, 17)}`;
    if (attribute === "arn") return `arn:aws:${r.type.split(":")[1]?.split("/")[0]}:ap-northeast-2:123456789012:${r.name}/${h.slice(0, 12)}`;
    return `${r.name}-${attribute}`;
  }

  private resolve(v: FixtureValue, deps: Set<string>): PropertyValue {
    if (v instanceof Ref) {
      deps.add(v.target.urn);
      return this.valueOf(v.target, v.attribute);
    }
    if (Array.isArray(v)) return v.map((x) => this.resolve(x, deps));
    if (v !== null && typeof v === "object") {
      const out: Record<string, PropertyValue> = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.resolve(x, deps);
      return out;
    }
    return v;
  }

  build(): DeploymentDocument {
    const resources: ResourceV3[] = this.resources.map((r) => {
      const inputs: PropertyMap = {};
      const propertyDependencies: Record<string, string[]> = {};
      const all = new Set<string>();
      for (const [k, v] of Object.entries(r.inputs)) {
        const deps = new Set<string>();
        inputs[k] = this.resolve(v, deps);
        propertyDependencies[k] = [...deps];
        deps.forEach((d) => all.add(d));
      }
      const computed: PropertyMap = {};
      for (const [k, v] of Object.entries(r.options.outputs ?? {})) computed[k] = this.resolve(v, new Set());
      const custom = r.options.custom ?? !r.type.startsWith("platform:");
      const isProvider = r.type.startsWith("pulumi:providers:");
      const provider = r.options.provider ?? this.provider;
      return {
        urn: r.urn,
        custom,
        type: r.type,
        ...(custom ? { id: this.valueOf(r, "id") as string } : {}),
        inputs,
        outputs: { ...inputs, ...computed, ...(custom && !isProvider ? { id: this.valueOf(r, "id") } : {}) },
        ...(r.options.parent ? { parent: r.options.parent.urn } : {}),
        dependencies: [...all],
        propertyDependencies,
        ...(custom && !isProvider && provider && r.type !== "pulumi:pulumi:StackReference"
          ? { provider: `${provider.urn}::${this.valueOf(provider, "id") as string}` }
          : {}),
      };
    });
    return { version: 3, deployment: { resources } };
  }
}

// --- running ----------------------------------------------------------------------------------

export interface CheckFixtureOptions {
  /** A shipped stack's policy config by name, an explicit config, or none (each policy at its own level). */
  readonly config?: string | PolicyPackConfig;
  readonly stack?: string;
}

export async function checkDocument(doc: DeploymentDocument, options: CheckFixtureOptions = {}): Promise<CheckResult> {
  const config = typeof options.config === "string" ? stackPolicyConfig(options.config) : options.config;
  const stack = options.stack ?? (typeof options.config === "string" ? options.config : "prod");
  return runPolicyCheck(doc, {
    session: await policyPack(),
    ...(config ? { policyConfig: config } : {}),
    stack: { stack, project: "platform", organization: "organization", dryRun: true },
  });
}

export function checkFixture(f: Fixture, options: CheckFixtureOptions = {}): Promise<CheckResult> {
  return checkDocument(f.build(), { stack: f.stack, ...options });
}

export function violationsOf(result: CheckResult, policy: string): Violation[] {
  return result.violations.filter((v) => v.policy === policy);
}

/** The messages of one policy's violations, in report order, for exact assertions. */
export function messagesOf(result: CheckResult, policy: string): string[] {
  return violationsOf(result, policy).map((v) => v.message);
}
