import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/** Repository root (the folder holding Pulumi.yaml). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

export function stackConfigPath(stack: string, root: string = REPO_ROOT): string {
  return path.join(root, "environments", `Pulumi.${stack}.yaml`);
}

/** Every stack that has an `environments/Pulumi.<stack>.yaml`, sorted by name. */
export function listStackFiles(root: string = REPO_ROOT): string[] {
  const dir = path.join(root, "environments");
  return fs
    .readdirSync(dir)
    .map((f) => /^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

export interface StackFile {
  /** The raw `config:` map as written in the file. */
  readonly config: Record<string, unknown>;
  /**
   * The stack's secrets provider as `pulumi stack init --secrets-provider` records it
   * (`secretsprovider:`, e.g. `awskms://alias/platform-pulumi-secrets?region=ap-northeast-2`);
   * "passphrase" when only an `encryptionsalt:` is written; absent for Pulumi Cloud's default.
   * These lines (with `encryptedkey:`) are committed with the file and never change what a plan
   * contains: the shipped stacks hold no `secure:` values.
   */
  readonly secretsProvider?: string;
}

export function readStackFile(stack: string, root: string = REPO_ROOT): StackFile {
  const file = stackConfigPath(stack, root);
  if (!fs.existsSync(file)) {
    throw new Error(`No stack config file for "${stack}": expected ${path.relative(root, file)}`);
  }
  const doc = (parse(fs.readFileSync(file, "utf8")) ?? {}) as {
    config?: Record<string, unknown>;
    secretsprovider?: unknown;
    encryptionsalt?: unknown;
  };
  // Keys as Pulumi's ProjectStack spells them (sdk/go/common/workspace/project.go).
  const secretsProvider =
    typeof doc.secretsprovider === "string" ? doc.secretsprovider : typeof doc.encryptionsalt === "string" ? "passphrase" : undefined;
  return { config: doc.config ?? {}, ...(secretsProvider ? { secretsProvider } : {}) };
}

/**
 * The stack's config in the shape the Pulumi CLI hands it to a Node.js program (the
 * PULUMI_CONFIG environment variable, also what `pulumi.runtime.setAllConfig` takes): every key
 * fully qualified (`platform:network`), every structured value JSON-encoded as a string.
 *
 * `secure:` values cannot be decrypted offline; the shipped stacks keep secrets in Secrets
 * Manager / SSM and reference them by ARN, so finding one here is an error, not a silent blank.
 */
export function toEngineConfig(config: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    const fq = key.includes(":") ? key : `platform:${key}`;
    if (value && typeof value === "object" && "secure" in (value as object)) {
      throw new Error(
        `${fq} is a Pulumi secret ("secure:"); offline evaluation cannot decrypt it. Reference the ` +
          `secret by its Secrets Manager or SSM ARN instead.`,
      );
    }
    out[fq] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return out;
}

/** Shorthand: the engine-shaped config of a shipped stack. */
export function engineConfigFor(stack: string, root: string = REPO_ROOT): Record<string, string> {
  return toEngineConfig(readStackFile(stack, root).config);
}
