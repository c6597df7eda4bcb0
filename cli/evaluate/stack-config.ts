import * as fs from "fs";
import * as path from "path";
import { parseDocument } from "yaml";

/**
 * The folder above `dir`'s parent, or, when that is the build output (dist/, which holds no
 * Pulumi.yaml), the folder above it: the same repository root whether this module runs from
 * cli/evaluate/*.ts (ts-node) or dist/cli/evaluate/*.js (the compiled CLI).
 */
export function repoRootFrom(dir: string): string {
  const up = path.resolve(dir, "..", "..");
  return path.basename(up) === "dist" && !fs.existsSync(path.join(up, "Pulumi.yaml")) ? path.dirname(up) : up;
}

/** Repository root (the folder holding Pulumi.yaml). */
export const REPO_ROOT = repoRootFrom(__dirname);

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

/** A stack file that cannot be read as a stack config (the message names the file). */
export class StackFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackFileError";
  }
}

export function readStackFile(stack: string, root: string = REPO_ROOT): StackFile {
  const file = stackConfigPath(stack, root);
  if (!fs.existsSync(file)) {
    throw new Error(`No stack config file for "${stack}": expected ${path.relative(root, file)}`);
  }
  // prettyErrors computes linePos (1-based line and column) for each error.
  const parsed = parseDocument(fs.readFileSync(file, "utf8"), { prettyErrors: true });
  const rel = path.relative(process.cwd(), file);
  const shown = rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
  const error = parsed.errors[0];
  if (error) {
    // FILE:LINE:COL, as compilers print it, so editors and CI annotations can jump to it.
    const pos = error.linePos?.[0];
    const message = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    throw new StackFileError(`${shown}${pos ? `:${pos.line}:${pos.col}` : ""}: not valid YAML: ${message}`);
  }
  const doc = (parsed.toJS() ?? {}) as { config?: Record<string, unknown>; secretsprovider?: unknown; encryptionsalt?: unknown };
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new StackFileError(`${shown}: expected a mapping with a config: key at the top level`);
  }
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
