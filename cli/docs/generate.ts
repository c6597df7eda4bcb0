import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../evaluate/stack-config";
import { renderConfigurationReference } from "./config-reference";
import { renderPolicyReference } from "./policy-reference";

/**
 * The documents rendered from code. `npm run docs` writes them; `npm run docs -- --check` (and
 * test/docs/generated.test.ts) fails when a committed copy differs from what the code renders.
 */
export const GENERATED_DOCS: readonly { readonly file: string; readonly render: (repoRoot: string) => string }[] = [
  { file: "docs/configuration.md", render: renderConfigurationReference },
  { file: "docs/policy-reference.md", render: renderPolicyReference },
];

/** The generated documents whose committed copy differs from the rendering, with the fix. */
export function staleDocs(repoRoot: string): string[] {
  const stale: string[] = [];
  for (const doc of GENERATED_DOCS) {
    const file = path.join(repoRoot, doc.file);
    const committed = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
    if (committed !== doc.render(repoRoot)) {
      stale.push(`${doc.file} is ${committed === undefined ? "missing" : "stale"}: run npm run docs`);
    }
  }
  return stale;
}

function main(args: readonly string[]): number {
  const repoRoot = REPO_ROOT;
  if (args.includes("--check")) {
    const stale = staleDocs(repoRoot);
    for (const s of stale) process.stderr.write(`${s}\n`);
    return stale.length > 0 ? 1 : 0;
  }
  for (const doc of GENERATED_DOCS) {
    fs.writeFileSync(path.join(repoRoot, doc.file), doc.render(repoRoot));
    process.stdout.write(`wrote ${doc.file}\n`);
  }
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
