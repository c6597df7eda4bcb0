import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/**
 * The CLI runs compiled from dist/ (scripts/build-dist.js), where `__dirname` is dist/<dir>, a
 * folder that holds no data file (quotas.json, prices.json, schemas, the replace table): every
 * path to such a file must come from the repository root. Only the modules that compute that
 * root, and the plan worker (always forked from the source tree), may read `__dirname`.
 */
const ROOT = path.resolve(__dirname, "..", "..");
const ALLOWED = new Set(["cli/evaluate/stack-config.ts", "infra/paths.ts"]);

describe("compiled CLI: no data file is found through __dirname", () => {
  it("uses __dirname only in the modules that compute the repository root", () => {
    const files = execFileSync("git", ["ls-files", "cli/*.ts", "cli/**/*.ts", "infra/*.ts", "infra/**/*.ts", "policies/*.ts", "policies/**/*.ts"], {
      cwd: ROOT,
      encoding: "utf8",
    })
      .split("\n")
      .filter((f) => f !== "" && fs.existsSync(path.join(ROOT, f)));
    expect(files.length).to.be.greaterThan(100);
    const offenders = files.filter((f) => !ALLOWED.has(f) && /\b__dirname\b/.test(fs.readFileSync(path.join(ROOT, f), "utf8")));
    expect(offenders).to.deep.equal([]);
  });
});
