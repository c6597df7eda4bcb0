import * as pulumi from "@pulumi/pulumi";
import { AwsMocks, MockOptions } from "./mocks";

/**
 * In-process evaluation of a Pulumi program under the mock runtime, recording every registration
 * the way the engine would see it (parent, dependencies, property dependencies, protect, provider
 * come from the RegisterResourceRequest itself: the mocks' newResource callback never sees them).
 *
 * Used by the component tests and as the core of `platform plan`.
 */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly inputs: Record<string, unknown>;
  /** The state the mock answered with (inputs plus AWS-computed attributes). */
  readonly outputs: Record<string, unknown>;
  readonly id?: string;
  /** URN of the parent as the SDK sent it (mock-monitor URN scheme; re-derive for engine URNs). */
  readonly parent?: string;
  readonly dependencies: string[];
  readonly propertyDependencies: Record<string, string[]>;
  readonly protect: boolean;
  readonly provider?: string;
  readonly deleteBeforeReplace?: boolean;
  readonly ignoreChanges: string[];
  readonly aliases: string[];
  /** URN the mock monitor assigned. */
  readonly urn: string;
  /** Registration order, for stable output. */
  readonly seq: number;
}

export interface EvaluationOptions extends MockOptions {
  readonly project?: string;
  readonly stack: string;
  /** Engine-shaped config (see stack-config.ts `toEngineConfig`). */
  readonly config: Record<string, string>;
  readonly preview?: boolean;
}

export interface Evaluation {
  readonly resources: RecordedResource[];
  /** Stack outputs as plain values (what `pulumi stack output --json` would show). */
  readonly outputs: Record<string, unknown>;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProtect(): boolean;
  getProvider(): string;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(cb: (v: { getUrnsList(): string[] }, k: string) => void): void };
  getDeletebeforereplace(): boolean;
  getIgnorechangesList(): string[];
  getAliasesList?(): Array<{ getUrn?(): string }>;
}

interface MonitorLike {
  registerResource(req: RegisterRequest, cb: (err: unknown, resp?: unknown) => void): Promise<void>;
  resources: Map<string, unknown>;
}

/** Resolve every Output inside a value to a plain value. */
export async function resolveValue(value: unknown): Promise<unknown> {
  return new Promise((resolve) => {
    pulumi.output(value as pulumi.Input<object>).apply((v: unknown) => {
      resolve(v);
      return v;
    });
  });
}

export async function evaluate(
  program: () => unknown,
  options: EvaluationOptions,
): Promise<Evaluation> {
  const mocks = new AwsMocks(options);
  const records: RecordedResource[] = [];
  const pending = new Map<string, { type: string; name: string; inputs: Record<string, unknown>; id?: string; outputs: Record<string, unknown> }>();
  const recording: pulumi.runtime.Mocks = {
    newResource: (args) => {
      const result = mocks.newResource(args);
      pending.set(`${args.type}::${args.name}`, {
        type: args.type,
        name: args.name,
        inputs: args.inputs as Record<string, unknown>,
        id: result.id,
        outputs: result.state,
      });
      return result;
    },
    call: (args) => mocks.call(args),
  };
  await pulumi.runtime.setMocks(recording, options.project ?? "platform", options.stack, options.preview ?? false);
  pulumi.runtime.setAllConfig(options.config, []);

  // Wrap the mock monitor so the registration request itself is recorded.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const settings = require("@pulumi/pulumi/runtime/settings") as {
    getMonitor(): MonitorLike;
    waitForRPCs?: () => Promise<void>;
  };
  const monitor = settings.getMonitor();
  const original = monitor.registerResource.bind(monitor);
  let seq = 0;
  monitor.registerResource = async (req, cb) => {
    const mySeq = seq++;
    await original(req, (err: unknown, resp?: unknown) => {
      if (!err && resp) {
        const r = resp as { getUrn(): string; getId(): string };
        const key = `${req.getType()}::${req.getName()}`;
        const seen = pending.get(key);
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((v, k) => {
          propertyDependencies[k] = v.getUrnsList();
        });
        records.push({
          type: req.getType(),
          name: req.getName(),
          custom: req.getCustom(),
          inputs: seen?.inputs ?? {},
          outputs: seen?.outputs ?? {},
          id: req.getCustom() ? r.getId() || seen?.id : undefined,
          parent: req.getParent() || undefined,
          dependencies: req.getDependenciesList(),
          propertyDependencies,
          protect: req.getProtect(),
          provider: req.getProvider() || undefined,
          deleteBeforeReplace: req.getDeletebeforereplace() || undefined,
          ignoreChanges: req.getIgnorechangesList(),
          aliases: (req.getAliasesList?.() ?? []).map((a) => a.getUrn?.() ?? "").filter((u) => u !== ""),
          urn: r.getUrn(),
          seq: mySeq,
        });
      }
      cb(err, resp);
    });
  };

  const exported = await Promise.resolve(program());
  const outputs = ((await resolveValue(exported ?? {})) ?? {}) as Record<string, unknown>;
  if (settings.waitForRPCs) await settings.waitForRPCs();
  records.sort((a, b) => a.seq - b.seq);
  return { resources: records, outputs };
}

/** Test helpers: filter recorded resources. */
export function ofType(ev: Evaluation, type: string): RecordedResource[] {
  return ev.resources.filter((r) => r.type === type);
}
