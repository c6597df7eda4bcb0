import * as fs from "fs";
import * as path from "path";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { REPO_ROOT } from "../evaluate/stack-config";

/**
 * Validation against Pulumi's own deployment schemas (sdk/go/common/apitype/{deployments,
 * resources,property-values}.json, JSON Schema 2020-12), vendored in ./pulumi-schemas so the tool
 * works outside this workspace; test/cli/plan-schema.test.ts checks the copies against
 * shared/reference/pulumi-schemas when that folder is present.
 */
export const SCHEMA_DIR = path.join(REPO_ROOT, "cli", "plan", "pulumi-schemas");
const DEPLOYMENTS_ID = "https://github.com/pulumi/pulumi/blob/master/sdk/go/common/apitype/deployments.json";

export type DeploymentValidator = (doc: unknown) => string[];

/**
 * Ajv does not register an `$anchor` declared on a schema's root (property-values.json anchors its
 * root as `property_value` and refers to it recursively). A reference to the root's own anchor
 * means the root itself, so it is rewritten to `#` in memory; the vendored files stay verbatim.
 */
export function inlineRootAnchor(schema: Record<string, unknown>): Record<string, unknown> {
  const anchor = schema.$anchor;
  if (typeof anchor !== "string") return schema;
  const rewrite = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = k === "$ref" && x === `#${anchor}` ? "#" : rewrite(x);
      return out;
    }
    return v;
  };
  return rewrite(schema) as Record<string, unknown>;
}

export function deploymentValidator(dir: string = SCHEMA_DIR): DeploymentValidator {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  for (const file of ["property-values.json", "resources.json", "deployments.json"]) {
    ajv.addSchema(inlineRootAnchor(JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as Record<string, unknown>));
  }
  const validate = ajv.getSchema(DEPLOYMENTS_ID);
  if (!validate) throw new Error(`deployments.json in ${dir} does not declare $id ${DEPLOYMENTS_ID}`);
  return (doc) => {
    if (validate(doc)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}`);
  };
}
