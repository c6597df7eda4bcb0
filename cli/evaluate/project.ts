import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/**
 * What the Pulumi CLI derives from Pulumi.yaml before it starts the Node.js language host, computed
 * the same way so the offline plan runs the program exactly as `pulumi up` would.
 */
export interface ProjectInfo {
  /** Folder holding Pulumi.yaml. */
  readonly root: string;
  readonly name: string;
  /** `main` as written, if any. */
  readonly main?: string;
  /** Folder holding the stack config files (`stackConfigDir`, default: the project root). */
  readonly stackConfigDir: string;
  readonly runtimeName: string;
  readonly runtimeOptions: Readonly<Record<string, unknown>>;
}

export function readProject(root: string): ProjectInfo {
  const file = path.join(root, "Pulumi.yaml");
  if (!fs.existsSync(file)) throw new Error(`No Pulumi.yaml in ${root}`);
  const doc = (parse(fs.readFileSync(file, "utf8")) ?? {}) as {
    name?: unknown;
    main?: unknown;
    stackConfigDir?: unknown;
    runtime?: unknown;
  };
  if (typeof doc.name !== "string" || doc.name === "") throw new Error(`${file}: "name" is required`);
  let runtimeName = "";
  let runtimeOptions: Record<string, unknown> = {};
  if (typeof doc.runtime === "string") runtimeName = doc.runtime;
  else if (doc.runtime && typeof doc.runtime === "object") {
    const rt = doc.runtime as { name?: unknown; options?: unknown };
    runtimeName = typeof rt.name === "string" ? rt.name : "";
    if (rt.options && typeof rt.options === "object") runtimeOptions = rt.options as Record<string, unknown>;
  }
  if (runtimeName !== "nodejs") {
    throw new Error(`${file}: runtime is "${runtimeName}"; offline planning supports the nodejs runtime only`);
  }
  return {
    root,
    name: doc.name,
    main: typeof doc.main === "string" ? doc.main : undefined,
    stackConfigDir: path.join(root, typeof doc.stackConfigDir === "string" ? doc.stackConfigDir : "."),
    runtimeName,
    runtimeOptions,
  };
}

/**
 * The engine's `getPwdMain` (pkg/engine/project.go): a `main` naming a file runs with the file's
 * folder as working directory and its base name as entry point; a folder runs with itself as
 * working directory and "." as entry point. This matters beyond paths: the language host looks for
 * `tsconfig.json` in that working directory (see `languageHostEnv`).
 */
export function pwdMain(project: ProjectInfo): { pwd: string; main: string } {
  if (!project.main) return { pwd: project.root, main: "." };
  const main = path.isAbsolute(project.main) ? project.main : path.join(project.root, project.main);
  if (!fs.existsSync(main)) throw new Error(`project 'main' could not be read: ${main} does not exist`);
  if (fs.statSync(main).isDirectory()) return { pwd: main, main: "." };
  return { pwd: path.dirname(main), main: path.basename(main) };
}

/**
 * This process's environment minus the TS_NODE_* settings `bin/platform.js` and the test runner
 * set for the tool itself. ts-node reads them as defaults, so a program or policy pack started by
 * this tool would compile differently (transpile-only, the root tsconfig) from how the Pulumi CLI,
 * which sets none, starts it.
 */
export function environmentForPulumiChild(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith("TS_NODE_")) env[k] = v;
  }
  return env;
}

/**
 * Environment the Node.js language host (pulumi-language-nodejs) gives the program process, minus
 * the engine addresses: runtime options `typescript` and `tsconfig` become PULUMI_NODEJS_TYPESCRIPT
 * and PULUMI_NODEJS_TSCONFIG_PATH, config goes in PULUMI_CONFIG as a JSON object of fully
 * qualified keys, and the CLI passes project/stack/root directory as flags that
 * `@pulumi/pulumi/cmd/run` turns into these PULUMI_NODEJS_* variables.
 */
export function languageHostEnv(
  project: ProjectInfo,
  stack: string,
  config: Readonly<Record<string, string>>,
  organization: string,
): Record<string, string> {
  const env: Record<string, string> = {
    PULUMI_CONFIG: JSON.stringify(config),
    PULUMI_CONFIG_SECRET_KEYS: "[]",
    PULUMI_NODEJS_PROJECT: project.name,
    PULUMI_NODEJS_STACK: stack,
    PULUMI_NODEJS_ROOT_DIRECTORY: project.root,
    PULUMI_NODEJS_ORGANIZATION: organization,
  };
  if (project.runtimeOptions.typescript !== false) env.PULUMI_NODEJS_TYPESCRIPT = "true";
  if (typeof project.runtimeOptions.tsconfig === "string") {
    env.PULUMI_NODEJS_TSCONFIG_PATH = project.runtimeOptions.tsconfig;
  }
  return env;
}
