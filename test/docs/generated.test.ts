import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { GENERATED_DOCS, staleDocs } from "../../cli/docs/generate";
import { keyDocs } from "../../cli/docs/jsdoc";
import { configSourceFiles, renderConfigurationReference, typeOf } from "../../cli/docs/config-reference";
import { packModules } from "../../cli/docs/policy-reference";
import { STACK_ORDER } from "../../infra/stacks";

const REPO = path.join(__dirname, "..", "..");

describe("generated docs (npm run docs)", function () {
  // Loading every policy module and the config schemas from source takes a few seconds.
  this.timeout(120_000);

  it("the committed docs/configuration.md and docs/policy-reference.md are what the code renders", () => {
    expect(staleDocs(REPO)).to.deep.equal([]);
  });

  it("says which file is stale and how to fix it", () => {
    const tmp = fs.mkdtempSync(path.join(require("os").tmpdir(), "docs-stale-"));
    try {
      // A copy of the inputs the generators read, with an edited configuration.md.
      for (const dir of ["infra", "policies"]) fs.symlinkSync(path.join(REPO, dir), path.join(tmp, dir), "dir");
      fs.mkdirSync(path.join(tmp, "docs"));
      for (const d of GENERATED_DOCS) fs.copyFileSync(path.join(REPO, d.file), path.join(tmp, d.file));
      fs.appendFileSync(path.join(tmp, "docs", "configuration.md"), "hand edit\n");
      expect(staleDocs(tmp)).to.deep.equal(["docs/configuration.md is stale: run npm run docs"]);
      fs.rmSync(path.join(tmp, "docs", "policy-reference.md"));
      expect(staleDocs(tmp)).to.deep.equal([
        "docs/configuration.md is stale: run npm run docs",
        "docs/policy-reference.md is missing: run npm run docs",
      ]);
    } finally {
      for (const dir of ["infra", "policies"]) fs.unlinkSync(path.join(tmp, dir));
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("reads each key's JSDoc by its path, through identifiers, arrays and method chains", () => {
    const docs = keyDocs(configSourceFiles(REPO), "PlatformConfigSchema");
    expect(docs.get("network.azCount")).to.deep.equal({ text: "How many AZs the subnets span.", default: "2" });
    expect(docs.get("services[].routing.priority")?.text).to.equal("Pin the listener-rule priority.");
    expect(docs.get("peering.peers[].accepter.ownerId")?.text).to.match(/^AWS account \(12 digits\)/);
    expect(docs.get("ecs.capacityProviderStrategy[].weight")).to.deep.equal({ text: "Share of tasks beyond `base`.", default: "1" });
  });

  it("renders types from the schema: enums, bounds, lists and maps", () => {
    expect(typeOf({ type: "string", enum: ["none", "single"] })).to.equal("`none` | `single`");
    expect(typeOf({ type: "integer", minimum: 8, maximum: 100 })).to.equal("integer 8–100");
    expect(typeOf({ type: "integer", minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER })).to.equal("integer");
    expect(typeOf({ type: "array", items: { type: "integer", minimum: 1, maximum: 65535 }, maxItems: 4 })).to.equal("list of integer 1–65535 (items ≤ 4)");
    expect(typeOf({ type: "object", additionalProperties: { type: "string" } })).to.equal("map string → string");
  });

  it("lists every platform key of the schema with its type and default", () => {
    const md = renderConfigurationReference(REPO);
    expect(md).to.contain("| `platform:network.natStrategy` | `none` \\| `single` \\| `perAz` \\| `instance` | `single` |");
    expect(md).to.contain("| `platform:bastion.volumeSize` | integer 8–100 | `8` | Root volume size (GiB, gp3, encrypted).");
    expect(md).to.contain("| `platform:services[].name` | string | **required** |");
    for (const section of ["tags", "network", "bastion", "peering", "alb", "ecs", "services", "database"]) {
      expect(md).to.contain(`## \`platform:${section}\``);
    }
  });

  it("documents every policy of the pack's modules once, with a level for every stack", () => {
    const names = packModules(REPO).flatMap((m) => m.policies.map((p) => p.name));
    expect(new Set(names).size).to.equal(names.length);
    const md = fs.readFileSync(path.join(REPO, "docs", "policy-reference.md"), "utf8");
    expect(md).to.contain(`| Policy | Kind | Category | Catalog | ${STACK_ORDER.join(" | ")} |`);
    for (const n of names) expect(md).to.contain(`\n### ${n}\n`);
    expect(md).to.contain(
      "| [`rds-cluster-require-multi-az`](#rds-cluster-require-multi-az) | stack | reliability | 64, X13 | M | A | A | M |",
    );
  });
});
