import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as analyzerGrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import * as engineGrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as enginePb from "@pulumi/pulumi/proto/engine_pb";
import { EnforcementLevel, PolicyConfigSchema, PolicyInfo, PolicyPackConfig } from "./config";
import { environmentForPulumiChild } from "../evaluate/project";
import { PropertyMap } from "../evaluate/property-values";

/**
 * Runs a Node.js policy pack the way the Pulumi CLI does and talks to it over the analyzer gRPC
 * protocol. Nothing of @pulumi/policy is imported here: the pack is a separate process started with
 * `node <@pulumi/pulumi>/cmd/run-policy-pack <engine-address> <pack-dir>` in the pack directory,
 * which compiles the pack with ts-node, serves the Analyzer service and prints its port.
 *
 * The engine address points at a minimal Engine service of our own, so a pack that logs through
 * the engine works as it would under the CLI.
 */

export interface AnalyzerResourceOptions {
  readonly protect?: boolean;
  readonly ignoreChanges?: readonly string[];
  readonly deleteBeforeReplace?: boolean;
  readonly additionalSecretOutputs?: readonly string[];
  readonly aliases?: readonly string[];
  readonly customTimeouts?: { readonly create?: number; readonly update?: number; readonly delete?: number };
  readonly parent?: string;
}

export interface AnalyzerProvider {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly properties: PropertyMap;
}

/** One resource as the engine sends it to `Analyze` (inputs) or `AnalyzeStack` (outputs). */
export interface AnalyzerResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly properties: PropertyMap;
  readonly options: AnalyzerResourceOptions;
  readonly provider?: AnalyzerProvider;
  /** Stack analysis only. */
  readonly parent?: string;
  readonly dependencies?: readonly string[];
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

export interface Diagnostic {
  readonly policyName: string;
  readonly policyPackName: string;
  readonly policyPackVersion: string;
  readonly description: string;
  /** As the pack reported it: `<description>\n<message>` for string violations. */
  readonly message: string;
  readonly enforcementLevel: EnforcementLevel;
  readonly urn?: string;
  readonly severity?: PolicyInfo["severity"];
}

export interface AnalyzerInfo {
  readonly name: string;
  readonly version: string;
  readonly displayName?: string;
  readonly description?: string;
  readonly supportsConfig: boolean;
  readonly policies: readonly PolicyInfo[];
  readonly initialConfig: PolicyPackConfig;
}

export interface StackContext {
  readonly stack: string;
  readonly project: string;
  readonly organization: string;
  readonly dryRun: boolean;
  readonly config?: Readonly<Record<string, string>>;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface StartOptions {
  /** The policy pack directory (holds PulumiPolicy.yaml and package.json). */
  readonly packDir: string;
  /** How long the pack may take to compile and print its port. */
  readonly startTimeoutMs?: number;
  /** Engine log messages and the pack's stderr, for error reports. */
  readonly onLog?: (line: string) => void;
}

export class AnalyzerError extends Error {}

const LEVELS: Record<number, EnforcementLevel> = {
  [analyzerPb.EnforcementLevel.ADVISORY]: "advisory",
  [analyzerPb.EnforcementLevel.MANDATORY]: "mandatory",
  [analyzerPb.EnforcementLevel.DISABLED]: "disabled",
  [analyzerPb.EnforcementLevel.REMEDIATE]: "remediate",
};

const LEVEL_NUMBERS: Record<EnforcementLevel, analyzerPb.EnforcementLevel> = {
  advisory: analyzerPb.EnforcementLevel.ADVISORY,
  mandatory: analyzerPb.EnforcementLevel.MANDATORY,
  disabled: analyzerPb.EnforcementLevel.DISABLED,
  remediate: analyzerPb.EnforcementLevel.REMEDIATE,
};

const SEVERITIES: Record<number, PolicyInfo["severity"]> = {
  [analyzerPb.PolicySeverity.POLICY_SEVERITY_LOW]: "low",
  [analyzerPb.PolicySeverity.POLICY_SEVERITY_MEDIUM]: "medium",
  [analyzerPb.PolicySeverity.POLICY_SEVERITY_HIGH]: "high",
  [analyzerPb.PolicySeverity.POLICY_SEVERITY_CRITICAL]: "critical",
};

function policyType(t: analyzerPb.PolicyType): PolicyInfo["policyType"] {
  if (t === analyzerPb.PolicyType.POLICY_TYPE_RESOURCE) return "resource";
  if (t === analyzerPb.PolicyType.POLICY_TYPE_STACK) return "stack";
  return "unknown";
}

function unary<Req, Res>(
  fn: (req: Req, md: grpc.Metadata, opts: Partial<grpc.CallOptions>, cb: (err: grpc.ServiceError | null, res: Res) => void) => grpc.ClientUnaryCall,
  req: Req,
  what: string,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    fn(req, new grpc.Metadata(), {}, (err, res) => {
      if (err) reject(Object.assign(new AnalyzerError(`${what} failed: ${err.details || err.message}`), { code: err.code }));
      else resolve(res);
    });
  });
}

/** The Engine service a plugin may call back into (logging only matters here). */
function startEngine(onLog: (line: string) => void): Promise<{ server: grpc.Server; address: string }> {
  const server = new grpc.Server();
  const severity: Record<number, string> = {
    [enginePb.LogSeverity.DEBUG]: "debug",
    [enginePb.LogSeverity.INFO]: "info",
    [enginePb.LogSeverity.WARNING]: "warning",
    [enginePb.LogSeverity.ERROR]: "error",
  };
  const impl: engineGrpc.IEngineServer = {
    log: (call, cb) => {
      const r = call.request;
      onLog(`[engine ${severity[r.getSeverity()] ?? "log"}] ${r.getMessage()}`);
      cb(null, new Empty());
    },
    getRootResource: (_call, cb) => cb(null, new enginePb.GetRootResourceResponse()),
    setRootResource: (_call, cb) => cb(null, new enginePb.SetRootResourceResponse()),
    startDebugging: (_call, cb) => cb(null, new Empty()),
    requirePulumiVersion: (_call, cb) => cb(null, new enginePb.RequirePulumiVersionResponse()),
  };
  server.addService(engineGrpc.EngineService, impl);
  return new Promise((resolve, reject) => {
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
      if (err) reject(err);
      else resolve({ server, address: `127.0.0.1:${port}` });
    });
  });
}

/** `@pulumi/pulumi/cmd/run-policy-pack` as Node resolves it from the pack directory, like the CLI's locateModule. */
export function locateRunPolicyPack(packDir: string): string {
  try {
    return require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
  } catch {
    throw new AnalyzerError(
      `Cannot find @pulumi/pulumi/cmd/run-policy-pack from ${packDir}: the policy pack's dependencies ` +
        `are not installed. Run \`npm ci\` at the repository root (policies/ is an npm workspace).`,
    );
  }
}

/**
 * Pack processes this process started and has not seen exit. The pack is a separate Node process
 * (~250 MB, a gRPC server that never exits on its own), and a child outlives its parent unless
 * someone kills it: a process that ends without `close()` (a mocha worker the pool tears down
 * with `process.exit`, a CLI that calls `process.exit` on an error path) would leave it running.
 * So every live pack is killed when this process exits, whatever the path to the exit.
 */
const livePacks = new Set<ChildProcess>();
let exitHookInstalled = false;

function trackPack(child: ChildProcess): void {
  livePacks.add(child);
  child.once("exit", () => livePacks.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = () => {
    for (const c of livePacks) c.kill("SIGKILL");
  };
  // "exit" handlers must be synchronous: kill() only sends the signal, which is all that is needed.
  process.on("exit", killAll);
  // A signal's default action ends the process without "exit" (workerpool sends SIGTERM to a
  // mocha worker that does not exit within a second of being asked, as happens on a loaded
  // machine). Kill the packs, then let the signal do what it would have done: if no one else
  // handles it, re-raise it without this handler so the default action still applies.
  for (const signal of ["SIGTERM", "SIGHUP", "SIGINT"] as const) {
    const onSignal = () => {
      killAll();
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

/** PIDs of the pack processes this process started that are still running (for tests). */
export function livePackPids(): number[] {
  return [...livePacks].flatMap((c) => (c.pid !== undefined ? [c.pid] : []));
}

export class PolicyPackSession {
  private constructor(
    private readonly child: ChildProcess,
    private readonly engine: grpc.Server,
    /** Where our Engine service listens (the first argument the pack was started with). */
    readonly engineAddress: string,
    /** The pack directory (its cwd). */
    readonly packDir: string,
    private readonly client: analyzerGrpc.AnalyzerClient,
    private readonly stderr: string[],
  ) {}

  /** Starts the pack and connects to it; rejects with the pack's own output if it fails to load. */
  static async start(options: StartOptions): Promise<PolicyPackSession> {
    const packDir = path.resolve(options.packDir);
    const script = locateRunPolicyPack(packDir);
    const stderr: string[] = [];
    const log = (line: string) => {
      stderr.push(line);
      options.onLog?.(line);
    };
    const engine = await startEngine(log);
    const child = spawn(process.execPath, [script, engine.address, packDir], {
      cwd: packDir,
      env: environmentForPulumiChild(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    trackPack(child);
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      for (const line of chunk.split("\n")) if (line.trim() !== "") log(line);
    });

    let port: number;
    try {
      port = await new Promise<number>((resolve, reject) => {
        let out = "";
        const timer = setTimeout(
          () => reject(new AnalyzerError(`Policy pack in ${packDir} did not report a port within ${options.startTimeoutMs ?? 120000} ms`)),
          options.startTimeoutMs ?? 120000,
        );
        child.stdout?.setEncoding("utf8");
        child.stdout?.on("data", (chunk: string) => {
          out += chunk;
          // The first line the server prints is its port; anything before it (a pack's
          // console.log at load time) is passed on as log output, as the CLI does.
          const lines = out.split("\n");
          out = lines.pop() ?? "";
          for (const line of lines) {
            const trimmed = line.trim();
            if (/^\d+$/.test(trimmed)) {
              clearTimeout(timer);
              resolve(Number(trimmed));
              return;
            }
            if (trimmed !== "") log(trimmed);
          }
        });
        child.on("exit", (code, signal) => {
          clearTimeout(timer);
          reject(
            new AnalyzerError(
              `Policy pack in ${packDir} exited (${signal ?? `code ${code}`}) before serving:\n${stderr.join("\n")}`,
            ),
          );
        });
        child.on("error", (err) => {
          clearTimeout(timer);
          reject(new AnalyzerError(`Could not start the policy pack: ${err.message}`));
        });
      });
    } catch (e) {
      child.kill();
      engine.server.forceShutdown();
      throw e;
    }
    child.removeAllListeners("exit");
    const client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      "grpc.max_receive_message_length": 1024 * 1024 * 400,
      "grpc.max_send_message_length": 1024 * 1024 * 400,
    });
    return new PolicyPackSession(child, engine.server, engine.address, packDir, client, stderr);
  }

  /** What the pack printed to stderr or logged so far. */
  get log(): readonly string[] {
    return this.stderr;
  }

  /**
   * Newer engines open with Handshake; packs built on @pulumi/policy do not implement it and the
   * engine then carries on, so UNIMPLEMENTED is not an error.
   */
  async handshake(): Promise<boolean> {
    const req = new analyzerPb.AnalyzerHandshakeRequest();
    req.setEngineAddress(this.engineAddress);
    req.setRootDirectory(this.packDir);
    req.setProgramDirectory(this.packDir);
    try {
      await unary(this.client.handshake.bind(this.client), req, "Handshake");
      return true;
    } catch (e) {
      if ((e as { code?: number }).code === grpc.status.UNIMPLEMENTED) return false;
      throw e;
    }
  }

  async getAnalyzerInfo(): Promise<AnalyzerInfo> {
    const info = await unary(this.client.getAnalyzerInfo.bind(this.client), new Empty(), "GetAnalyzerInfo");
    const initialConfig: PolicyPackConfig = {};
    info.getInitialconfigMap().forEach((v, k) => {
      initialConfig[k] = {
        enforcementLevel: LEVELS[v.getEnforcementlevel()] ?? "advisory",
        ...(v.hasProperties() ? { properties: v.getProperties()!.toJavaScript() } : {}),
      };
    });
    return {
      name: info.getName(),
      version: info.getVersion(),
      displayName: info.getDisplayname() || undefined,
      description: info.getDescription() || undefined,
      supportsConfig: info.getSupportsconfig(),
      initialConfig,
      policies: info.getPoliciesList().map((p): PolicyInfo => {
        const schema = p.getConfigschema();
        return {
          name: p.getName(),
          description: p.getDescription(),
          enforcementLevel: LEVELS[p.getEnforcementlevel()] ?? "advisory",
          policyType: policyType(p.getPolicyType()),
          ...(schema
            ? {
                configSchema: {
                  properties: (schema.getProperties()?.toJavaScript() ?? {}) as PolicyConfigSchema["properties"],
                  required: schema.getRequiredList(),
                },
              }
            : {}),
          ...(SEVERITIES[p.getSeverity()] ? { severity: SEVERITIES[p.getSeverity()] } : {}),
          ...(p.getDisplayname() ? { displayName: p.getDisplayname() } : {}),
          ...(p.getUrl() ? { url: p.getUrl() } : {}),
          ...(p.getRemediationSteps() ? { remediationSteps: p.getRemediationSteps() } : {}),
        };
      }),
    };
  }

  /** Sends the reconciled config; like the engine, every entry carries a (possibly empty) Struct. */
  async configure(config: PolicyPackConfig): Promise<void> {
    const req = new analyzerPb.ConfigureAnalyzerRequest();
    const map = req.getPolicyconfigMap();
    for (const [name, entry] of Object.entries(config)) {
      const pc = new analyzerPb.PolicyConfig();
      pc.setEnforcementlevel(LEVEL_NUMBERS[entry.enforcementLevel ?? "advisory"]);
      pc.setProperties(Struct.fromJavaScript(toStructValue(entry.properties ?? {})));
      map.set(name, pc);
    }
    await unary(this.client.configure.bind(this.client), req, "Configure");
  }

  async configureStack(ctx: StackContext): Promise<void> {
    const req = new analyzerPb.AnalyzerStackConfigureRequest();
    req.setStack(ctx.stack);
    req.setProject(ctx.project);
    req.setOrganization(ctx.organization);
    req.setDryRun(ctx.dryRun);
    for (const [k, v] of Object.entries(ctx.config ?? {})) req.getConfigMap().set(k, v);
    for (const [k, v] of Object.entries(ctx.tags ?? {})) req.getTagsMap().set(k, v);
    try {
      await unary(this.client.configureStack.bind(this.client), req, "ConfigureStack");
    } catch (e) {
      // Packs on an SDK older than ConfigureStack do not serve it; the engine tolerates that too.
      if ((e as { code?: number }).code !== grpc.status.UNIMPLEMENTED) throw e;
    }
  }

  async analyze(resource: AnalyzerResource): Promise<Diagnostic[]> {
    const req = withResource(new analyzerPb.AnalyzeRequest(), resource);
    const res = await unary(this.client.analyze.bind(this.client), req, `Analyze ${resource.urn}`);
    return res.getDiagnosticsList().map(toDiagnostic);
  }

  async analyzeStack(resources: readonly AnalyzerResource[]): Promise<Diagnostic[]> {
    const req = new analyzerPb.AnalyzeStackRequest();
    for (const r of resources) {
      const ar = withResource(new analyzerPb.AnalyzerResource(), r);
      if (r.parent) ar.setParent(r.parent);
      ar.setDependenciesList([...(r.dependencies ?? [])]);
      for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
        const deps = new analyzerPb.AnalyzerPropertyDependencies();
        deps.setUrnsList([...urns]);
        ar.getPropertydependenciesMap().set(k, deps);
      }
      req.addResources(ar);
    }
    const res = await unary(this.client.analyzeStack.bind(this.client), req, "AnalyzeStack");
    return res.getDiagnosticsList().map(toDiagnostic);
  }

  /** Stops the pack process and the engine service. */
  async close(): Promise<void> {
    this.client.close();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
      this.child.kill("SIGTERM");
      await exited;
    }
    await new Promise<void>((resolve) => this.engine.tryShutdown(() => resolve()));
  }
}

type StructInput = Parameters<typeof Struct.fromJavaScript>[0];

/** Struct.fromJavaScript's own parameter type, reached without widening our values to `any`. */
function toStructValue(value: Readonly<Record<string, unknown>>): StructInput {
  return value as StructInput;
}

/**
 * The fields `Analyze` and `AnalyzeStack` send the same way for a resource (two proto messages,
 * `AnalyzeRequest` and `AnalyzerResource`, with the same setters).
 */
function withResource<
  M extends {
    setType(v: string): unknown;
    setUrn(v: string): unknown;
    setName(v: string): unknown;
    setProperties(v: Struct): unknown;
    setOptions(v: ReturnType<typeof toOptions>): unknown;
    setProvider(v: ReturnType<typeof toProvider>): unknown;
  },
>(msg: M, r: AnalyzerResource): M {
  msg.setType(r.type);
  msg.setUrn(r.urn);
  msg.setName(r.name);
  msg.setProperties(Struct.fromJavaScript(toStructValue(r.properties)));
  msg.setOptions(toOptions(r.options));
  if (r.provider) msg.setProvider(toProvider(r.provider));
  return msg;
}

function toOptions(o: AnalyzerResourceOptions): analyzerPb.AnalyzerResourceOptions {
  const opts = new analyzerPb.AnalyzerResourceOptions();
  opts.setProtect(o.protect ?? false);
  opts.setIgnorechangesList([...(o.ignoreChanges ?? [])]);
  opts.setDeletebeforereplace(o.deleteBeforeReplace ?? false);
  opts.setDeletebeforereplacedefined(o.deleteBeforeReplace !== undefined);
  opts.setAdditionalsecretoutputsList([...(o.additionalSecretOutputs ?? [])]);
  opts.setAliasesList([...(o.aliases ?? [])]);
  const timeouts = new analyzerPb.AnalyzerResourceOptions.CustomTimeouts();
  timeouts.setCreate(o.customTimeouts?.create ?? 0);
  timeouts.setUpdate(o.customTimeouts?.update ?? 0);
  timeouts.setDelete(o.customTimeouts?.delete ?? 0);
  opts.setCustomtimeouts(timeouts);
  if (o.parent) opts.setParent(o.parent);
  return opts;
}

function toProvider(p: AnalyzerProvider): analyzerPb.AnalyzerProviderResource {
  const pr = new analyzerPb.AnalyzerProviderResource();
  pr.setUrn(p.urn);
  pr.setType(p.type);
  pr.setName(p.name);
  pr.setProperties(Struct.fromJavaScript(toStructValue(p.properties)));
  return pr;
}

function toDiagnostic(d: analyzerPb.AnalyzeDiagnostic): Diagnostic {
  return {
    policyName: d.getPolicyname(),
    policyPackName: d.getPolicypackname(),
    policyPackVersion: d.getPolicypackversion(),
    description: d.getDescription(),
    message: d.getMessage(),
    enforcementLevel: LEVELS[d.getEnforcementlevel()] ?? "advisory",
    ...(d.getUrn() ? { urn: d.getUrn() } : {}),
    ...(SEVERITIES[d.getSeverity()] ? { severity: SEVERITIES[d.getSeverity()] } : {}),
  };
}
