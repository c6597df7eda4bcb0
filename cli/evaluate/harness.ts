import * as pulumi from "@pulumi/pulumi";
import { AwsMocks, MockOptions } from "./mocks";
import { engineUrn, ROOT_STACK_TYPE } from "./urn";
import { DIY_ORGANIZATION } from "../../infra/stacks";
import type { Registration } from "../plan/deployment";

/**
 * Evaluation of a Pulumi program under the mock runtime, recording every registration the way the
 * engine would see it.
 *
 * The SDK's MockMonitor hands the mocks only `{type, name, inputs, provider, id, custom}` and builds
 * URNs its own way. The RegisterResourceRequest it receives carries everything the engine records
 * (parent, dependencies, property dependencies, protect, provider, aliases, remote, version), so the
 * `Recorder` replaces the monitor's register/read methods: it builds the engine's URN (see urn.ts)
 * and answers the SDK with it, rejects duplicate URNs as the engine does, asks the mocks for the
 * state, and keeps the request's fields. Component tests use `evaluate()` in-process; `platform
 * plan` installs the same Recorder in a fresh process that loads the program through the Pulumi
 * CLI's own Node.js entry (cli/plan/worker.js).
 */
export interface RecordedResource extends Registration {
  /** Inputs as the mocks received them (deserialized: secrets stay `{4dabf…: 1b47…, value}` objects). */
  readonly inputs: Record<string, unknown>;
  /**
   * Custom and read resources: the state the mock answered with (inputs plus AWS-computed
   * attributes). Components: what they passed to `registerOutputs` (the engine stores exactly that).
   */
  readonly outputs: Record<string, unknown>;
  /** Registration order, for stable output. */
  readonly seq: number;
}

/** What the mock runtime and the recorder need: the plan worker's and `evaluate()`'s common part. */
export interface RecordingOptions extends MockOptions {
  readonly project?: string;
  readonly stack: string;
  readonly preview?: boolean;
  /** What `pulumi.getOrganization()` returns. @default "organization" (a self-managed backend's) */
  readonly organization?: string;
}

export interface EvaluationOptions extends RecordingOptions {
  /** Engine-shaped config (see stack-config.ts `toEngineConfig`). */
  readonly config: Record<string, string>;
}

export interface Evaluation {
  readonly resources: RecordedResource[];
  /** Stack outputs as plain values (what `pulumi stack output --json` would show). */
  readonly outputs: Record<string, unknown>;
}

/** An invoke the program made: the engine creates the package's default provider for it too. */
export interface RecordedInvoke {
  readonly token: string;
  readonly version?: string;
  /** Explicit provider reference, if the program passed one. */
  readonly provider?: string;
}

// The subset of the generated protobuf classes the recorder reads. Declared here because
// @pulumi/pulumi ships them as untyped JS.
interface Struct {
  toJavaScript(): Record<string, unknown>;
}
interface AliasProto {
  getUrn(): string;
  getSpec(): AliasSpecProto | undefined;
}
interface AliasSpecProto {
  getName(): string;
  getType(): string;
  getStack(): string;
  getProject(): string;
  getParenturn(): string;
  getNoparent(): boolean;
}
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): Struct | undefined;
  getProtect(): boolean;
  getProvider(): string;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(cb: (v: { getUrnsList(): string[] }, k: string) => void): void };
  getDeletebeforereplace(): boolean;
  getIgnorechangesList(): string[];
  getReplaceonchangesList(): string[];
  getRetainondelete(): boolean;
  getDeletedwith(): string;
  getAdditionalsecretoutputsList(): string[];
  getAliasesList(): AliasProto[];
  getAliasurnsList(): string[];
  getRemote(): boolean;
  getVersion(): string;
  getImportid(): string;
}
interface ReadRequest {
  getType(): string;
  getName(): string;
  getId(): string;
  getParent(): string;
  getProperties(): Struct | undefined;
  getProvider(): string;
  getDependenciesList(): string[];
  getAdditionalsecretoutputsList(): string[];
  getVersion(): string;
}
interface OutputsRequest {
  getUrn(): string;
  getOutputs(): Struct | undefined;
}
interface InvokeRequest {
  getTok(): string;
  getVersion(): string;
  getProvider(): string;
}
type Callback = (err: unknown, resp?: unknown) => void;
interface MockMonitorLike {
  resources: Map<string, { urn: string; id: string | null; state: unknown }>;
  registerResource(req: RegisterRequest, cb: Callback): Promise<void>;
  readResource(req: ReadRequest, cb: Callback): Promise<void>;
  registerResourceOutputs(req: OutputsRequest, cb: Callback): void;
  invoke(req: InvokeRequest, cb: Callback): Promise<void>;
}
interface Rpc {
  deserializeProperties(s: Struct | undefined, keepUnknowns?: boolean): Record<string, unknown>;
  serializeProperties(label: string, props: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/* eslint-disable @typescript-eslint/no-require-imports */
const settings = require("@pulumi/pulumi/runtime/settings") as {
  getMonitor(): unknown;
  waitForRPCs(): Promise<void>;
};
const rpc = require("@pulumi/pulumi/runtime/rpc") as Rpc;
const resproto = require("@pulumi/pulumi/proto/resource_pb") as {
  RegisterResourceResponse: new () => { setUrn(u: string): void; setId(i: string): void; setObject(s: unknown): void };
  ReadResourceResponse: new () => { setUrn(u: string): void; setProperties(s: unknown): void };
};
const structproto = require("google-protobuf/google/protobuf/struct_pb") as {
  Struct: { fromJavaScript(v: unknown): unknown };
};
/* eslint-enable @typescript-eslint/no-require-imports */

interface MutableRecord extends Omit<RecordedResource, "outputs" | "wireOutputs"> {
  outputs: Record<string, unknown>;
  wireOutputs: Record<string, unknown>;
}

/**
 * Records registrations made against the current mock monitor. Install it right after
 * `pulumi.runtime.setMocks` (which creates the monitor), before the program registers anything.
 */
export class Recorder {
  private readonly records: MutableRecord[] = [];
  private readonly byUrn = new Map<string, MutableRecord>();
  private readonly invokeLog: RecordedInvoke[] = [];
  /** StackReference names the program asked for that no upstream plan answered. */
  readonly missingStackReferences = new Set<string>();
  private seq = 0;

  constructor(
    private readonly mocks: AwsMocks,
    private readonly stack: string,
    private readonly project: string,
    /**
     * Called when the program reads a StackReference no upstream plan answered, before the read
     * fails. The plan worker stops there: once the SDK turns the failed read into rejected outputs
     * the program may never settle.
     */
    private readonly onMissingStackReference?: (name: string) => void,
  ) {}

  install(): void {
    const monitor = settings.getMonitor() as MockMonitorLike;
    if (!monitor || !(monitor.resources instanceof Map)) {
      throw new Error("Recorder.install: the current monitor is not Pulumi's MockMonitor; call setMocks first.");
    }
    monitor.registerResource = (req, cb) => this.register(monitor, req, cb);
    monitor.readResource = (req, cb) => this.read(monitor, req, cb);
    const originalOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req, cb) => {
      const rec = this.byUrn.get(req.getUrn());
      if (rec) {
        const outputs = req.getOutputs();
        rec.wireOutputs = outputs ? outputs.toJavaScript() : {};
        rec.outputs = rpc.deserializeProperties(outputs);
      }
      originalOutputs(req, cb);
    };
    const originalInvoke = monitor.invoke.bind(monitor);
    monitor.invoke = (req, cb) => {
      this.invokeLog.push({
        token: req.getTok(),
        version: req.getVersion() || undefined,
        provider: req.getProvider() || undefined,
      });
      return originalInvoke(req, cb);
    };
  }

  resources(): RecordedResource[] {
    return [...this.records].sort((a, b) => a.seq - b.seq);
  }

  invokes(): RecordedInvoke[] {
    return [...this.invokeLog];
  }

  private urnFor(parent: string, type: string, name: string): string {
    const urn = engineUrn(this.stack, this.project, parent || undefined, type, name);
    if (this.byUrn.has(urn)) {
      // The engine's own message (resmon RegisterResource), so a plan fails where `pulumi up` would.
      throw new Error(`Duplicate resource URN '${urn}'; try giving it a unique name`);
    }
    return urn;
  }

  private resolveAliases(req: RegisterRequest, parent: string): string[] {
    const urns = [...req.getAliasurnsList()];
    for (const alias of req.getAliasesList()) {
      const spec = alias.getSpec();
      if (!spec) {
        if (alias.getUrn()) urns.push(alias.getUrn());
        continue;
      }
      // Mirrors the engine's alias-spec resolution: unset fields default to the resource's own.
      const aliasParent = spec.getNoparent() ? undefined : spec.getParenturn() || parent || undefined;
      urns.push(
        engineUrn(
          spec.getStack() || this.stack,
          spec.getProject() || this.project,
          aliasParent,
          spec.getType() || req.getType(),
          spec.getName() || req.getName(),
        ),
      );
    }
    return urns;
  }

  /** The mocks' answer for a registration or read, stored where the mock monitor's invokes find it. */
  private async answer(
    monitor: MockMonitorLike,
    args: Parameters<AwsMocks["newResource"]>[0] & { readonly urn: string },
  ): Promise<{ result: ReturnType<AwsMocks["newResource"]>; serializedState: Record<string, unknown> }> {
    const result = this.mocks.newResource(args);
    const serializedState = (await rpc.serializeProperties("", result.state)) as Record<string, unknown>;
    monitor.resources.set(args.urn, { urn: args.urn, id: result.id ?? null, state: serializedState });
    return { result, serializedState };
  }

  private keep(rec: MutableRecord): void {
    this.records.push(rec);
    this.byUrn.set(rec.urn, rec);
  }

  private async register(monitor: MockMonitorLike, req: RegisterRequest, cb: Callback): Promise<void> {
    const mySeq = this.seq++;
    try {
      const type = req.getType();
      const name = req.getName();
      const parent = req.getParent();
      const urn = this.urnFor(parent, type, name);
      const object = req.getObject();
      const inputs = rpc.deserializeProperties(object);
      const { result, serializedState } = await this.answer(monitor, {
        type,
        name,
        inputs,
        provider: req.getProvider(),
        custom: req.getCustom(),
        id: req.getImportid(),
        urn,
      });
      const propertyDependencies: Record<string, string[]> = {};
      req.getPropertydependenciesMap().forEach((v, k) => {
        propertyDependencies[k] = v.getUrnsList();
      });
      const rec: MutableRecord = {
        type,
        name,
        custom: req.getCustom(),
        inputs,
        outputs: result.state,
        id: req.getCustom() ? result.id || undefined : undefined,
        parent: parent || undefined,
        dependencies: req.getDependenciesList(),
        propertyDependencies,
        protect: req.getProtect(),
        provider: req.getProvider() || undefined,
        deleteBeforeReplace: req.getDeletebeforereplace() || undefined,
        ignoreChanges: req.getIgnorechangesList(),
        replaceOnChanges: req.getReplaceonchangesList(),
        retainOnDelete: req.getRetainondelete() || undefined,
        deletedWith: req.getDeletedwith() || undefined,
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        aliases: this.resolveAliases(req, parent),
        remote: req.getRemote(),
        external: false,
        version: req.getVersion() || undefined,
        urn,
        seq: mySeq,
        wireInputs: object ? object.toJavaScript() : {},
        wireOutputs: serializedState,
      };
      this.keep(rec);
      const response = new resproto.RegisterResourceResponse();
      response.setUrn(urn);
      response.setId(result.id || "");
      response.setObject(structproto.Struct.fromJavaScript(serializedState));
      cb(null, response);
    } catch (err) {
      cb(err, undefined);
    }
  }

  private async read(monitor: MockMonitorLike, req: ReadRequest, cb: Callback): Promise<void> {
    const mySeq = this.seq++;
    try {
      const type = req.getType();
      const name = req.getName();
      const parent = req.getParent();
      const urn = this.urnFor(parent, type, name);
      const properties = req.getProperties();
      const inputs = rpc.deserializeProperties(properties);
      if (type === "pulumi:pulumi:StackReference") {
        const refName = String(inputs.name ?? name);
        if (!(refName in this.mocks.stackOutputs)) {
          this.missingStackReferences.add(refName);
          this.onMissingStackReference?.(refName);
        }
      }
      const { result, serializedState } = await this.answer(monitor, {
        type,
        name,
        inputs,
        provider: req.getProvider(),
        custom: true,
        id: req.getId(),
        urn,
      });
      const rec: MutableRecord = {
        type,
        name,
        custom: true,
        inputs,
        outputs: result.state,
        id: result.id || req.getId() || undefined,
        parent: parent || undefined,
        dependencies: req.getDependenciesList(),
        propertyDependencies: {},
        protect: false,
        provider: req.getProvider() || undefined,
        ignoreChanges: [],
        replaceOnChanges: [],
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        aliases: [],
        remote: false,
        external: true,
        version: req.getVersion() || undefined,
        urn,
        seq: mySeq,
        wireInputs: properties ? properties.toJavaScript() : {},
        wireOutputs: serializedState,
      };
      this.keep(rec);
      const response = new resproto.ReadResourceResponse();
      response.setUrn(urn);
      response.setProperties(structproto.Struct.fromJavaScript(serializedState));
      cb(null, response);
    } catch (err) {
      cb(err, undefined);
    }
  }
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

/**
 * Sets the mock runtime and installs a Recorder; shared by `evaluate` and the plan worker.
 * Synchronous on purpose: the plan worker calls it from run()'s `programStarted` callback, and the
 * root Stack is constructed right after that returns. (`setMocks` is declared async but does all
 * its work before returning.)
 */
export function startRecording(options: RecordingOptions, onMissingStackReference?: (name: string) => void): Recorder {
  const project = options.project ?? "platform";
  const mocks = new AwsMocks(options);
  void pulumi.runtime.setMocks(mocks, project, options.stack, options.preview ?? false, options.organization ?? DIY_ORGANIZATION);
  const recorder = new Recorder(mocks, options.stack, project, onMissingStackReference);
  recorder.install();
  return recorder;
}

/** Waits until every registration the SDK has started has been answered. */
export async function drainRegistrations(): Promise<void> {
  await settings.waitForRPCs();
}

/**
 * Runs `program` in this process under the mocks and returns what it registered. Unlike `platform
 * plan`, no root `pulumi:pulumi:Stack` is created, so top-level resources have no parent (their
 * URNs are the same either way: the engine never prefixes the Stack type).
 */
export async function evaluate(program: () => unknown, options: EvaluationOptions): Promise<Evaluation> {
  const recorder = startRecording(options);
  pulumi.runtime.setAllConfig(options.config, []);
  const exported = await Promise.resolve(program());
  const outputs = ((await resolveValue(exported ?? {})) ?? {}) as Record<string, unknown>;
  await drainRegistrations();
  return { resources: recorder.resources(), outputs };
}

/** Test helpers: filter recorded resources. */
export function ofType(ev: Evaluation, type: string): RecordedResource[] {
  return ev.resources.filter((r) => r.type === type);
}

export { ROOT_STACK_TYPE };
