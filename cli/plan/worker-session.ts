import { drainRegistrations, startRecording } from "../evaluate/harness";
import { ROOT_STACK_TYPE } from "../evaluate/urn";
import { buildDeployment } from "./deployment";
import { WorkerFailure, WorkerRequest, WorkerStats, WorkerSuccess } from "./protocol";

/**
 * The part of the plan worker that runs inside the program's process, after
 * `@pulumi/pulumi/cmd/run` has registered ts-node (so this TypeScript loads through the very same
 * compiler registration as the program) and before it creates the root Stack.
 */

export interface Session {
  /** Call once the program's run resolved; `measure` is read after the deployment is built. */
  succeed(measure: () => Omit<WorkerStats, "registrations">): Promise<WorkerSuccess>;
  fail(err: unknown, stats: Omit<WorkerStats, "registrations">): WorkerFailure;
}

/** Sets the mock runtime and the recorder (synchronously: see `startRecording`). */
export function startSession(req: WorkerRequest, onMissingStackReference?: (name: string) => void): Session {
  const recorder = startRecording(
    {
      project: req.project,
      stack: req.stack,
      organization: req.organization,
      region: req.config["aws:region"],
      stackOutputs: req.stackOutputs,
    },
    onMissingStackReference,
  );
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdkVersion = (require("@pulumi/pulumi/package.json") as { version: string }).version;

  return {
    async succeed(measure) {
      await drainRegistrations();
      const records = recorder.resources();
      const built = buildDeployment({
        stack: req.stack,
        project: req.project,
        config: req.config,
        registrations: records,
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
        stats: { ...measure(), registrations: records.length },
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
