import * as pulumi from "@pulumi/pulumi";
import { drainRegistrations, RecordedResource, Recorder } from "../evaluate/harness";
import { AwsMocks } from "../evaluate/mocks";
import { ROOT_STACK_TYPE } from "../evaluate/urn";
import { buildDeployment, Registration } from "./deployment";
import { WorkerFailure, WorkerRequest, WorkerStats, WorkerSuccess } from "./protocol";

/**
 * The part of the plan worker that runs inside the program's process, after
 * `@pulumi/pulumi/cmd/run` has registered ts-node (so this TypeScript loads through the very same
 * compiler registration as the program) and before it creates the root Stack.
 */

function toRegistration(r: RecordedResource): Registration {
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    custom: r.custom,
    external: r.external,
    remote: r.remote,
    id: r.id,
    parent: r.parent,
    dependencies: r.dependencies,
    propertyDependencies: r.propertyDependencies,
    protect: r.protect,
    provider: r.provider,
    version: r.version,
    aliases: r.aliases,
    additionalSecretOutputs: r.additionalSecretOutputs,
    wireInputs: r.wireInputs,
    wireOutputs: r.wireOutputs,
    options: {
      ignoreChanges: r.ignoreChanges,
      replaceOnChanges: r.replaceOnChanges,
      deleteBeforeReplace: r.deleteBeforeReplace,
      retainOnDelete: r.retainOnDelete,
      deletedWith: r.deletedWith,
    },
  };
}

export interface Session {
  /** Call once the program's run resolved. */
  succeed(stats: Omit<WorkerStats, "registrations">): Promise<WorkerSuccess>;
  fail(err: unknown, stats: Omit<WorkerStats, "registrations">): WorkerFailure;
}

/**
 * Sets the mock runtime and the recorder. Synchronous on purpose: it runs in the `programStarted`
 * callback, and the root Stack is constructed right after it returns. (`setMocks` is declared async
 * but does all its work before returning.)
 */
export function startSession(req: WorkerRequest, onMissingStackReference?: (name: string) => void): Session {
  const mocks = new AwsMocks({ region: req.region, stackOutputs: req.stackOutputs });
  void pulumi.runtime.setMocks(mocks, req.project, req.stack, false, req.organization);
  const recorder = new Recorder(mocks, req.stack, req.project, onMissingStackReference);
  recorder.install();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdkVersion = (require("@pulumi/pulumi/package.json") as { version: string }).version;

  return {
    async succeed(stats) {
      await drainRegistrations();
      const records = recorder.resources();
      const built = buildDeployment({
        stack: req.stack,
        project: req.project,
        config: req.config,
        registrations: records.map(toRegistration),
        invokes: recorder.invokes(),
        engineVersion: sdkVersion,
      });
      const root = records.find((r) => r.type === ROOT_STACK_TYPE && !r.parent);
      return {
        ok: true,
        deployment: built.deployment,
        options: built.options,
        outputs: plain(root?.outputs ?? {}) as Record<string, unknown>,
        remoteUrns: records.filter((r) => r.remote).map((r) => r.urn),
        stats: { ...stats, registrations: records.length },
      };
    },
    fail(err, stats) {
      const e = err instanceof Error ? err : new Error(String(err));
      // Config and resource errors are user-actionable messages; a stack trace would bury them.
      const expected = ["Error", "ConfigError", "RunError", "ResourceError"].includes(e.name);
      return {
        ok: false,
        message: e.message,
        name: e.name,
        stack: expected ? undefined : e.stack,
        missingStackReferences: [...recorder.missingStackReferences].sort(),
        stats: { ...stats, registrations: recorder.resources().length },
      };
    },
  };
}

/** Drops what cannot cross the IPC channel (Outputs, resources) after registerOutputs resolved them. */
function plain(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = plain(v);
    return out;
  }
  return typeof value === "function" ? undefined : value;
}
