import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { languageHostEnv, pwdMain, readProject } from "../../cli/evaluate/project";
import { REPO_ROOT } from "../../cli/evaluate/stack-config";
import { planStacks, StackPlan } from "../../cli/plan/planner";
import { shippedPlan } from "../support/plans";
import * as ts from "typescript";
import { defaultDockerfileExists } from "../../infra/app/config";
import { PROGRAM_DIR, resolveProgramPath } from "../../infra/paths";
const { SEEDS, NOOP_SPAN } = require("../../cli/plan/run-seeds") as {
  SEEDS: Record<string, unknown>;
  NOOP_SPAN: Record<string, (...args: unknown[]) => unknown>;
};

/**
 * The program loads the way the Pulumi CLI's Node.js language host loads it: Pulumi.yaml `main`
 * resolved like the engine's getPwdMain, the language host's environment, and
 * `@pulumi/pulumi/cmd/run/run.js` `run()` registering ts-node and running the entry point inside
 * runInPulumiStack. The fixture program reports what it saw (cwd, ts-node's registration); the
 * shipped entry point is checked through the root Stack that only runInPulumiStack creates.
 */
const FIXTURE = path.join(__dirname, "..", "fixtures", "plans", "project");

/** Pulumi's asset and archive signatures (sdk/go/common/resource/asset, archive). */
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";

/**
 * Paths in a resource's inputs that a provider process resolves against its working directory:
 * awsx ecr.Image `context`/`dockerfile` (docker-build's context.location) and every file asset or
 * archive (`path`), wherever it sits in the inputs.
 */
function providerPaths(type: string, inputs: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (type === "awsx:ecr:Image") {
    for (const k of ["context", "dockerfile"]) if (typeof inputs[k] === "string") out.push(inputs[k] as string);
  }
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      const sig = o["4dabf18193072939515e22adb298388d"];
      if ((sig === ASSET_SIG || sig === ARCHIVE_SIG) && typeof o.path === "string") out.push(o.path);
      Object.values(o).forEach(visit);
    }
  };
  visit(inputs);
  return out;
}

describe("runtime load: the program runs through the Pulumi CLI's Node.js entry", () => {
  let fixture: StackPlan;
  let shipped: StackPlan;
  let prod: StackPlan;

  before(async function () {
    this.timeout(120_000);
    fixture = (await planStacks(["up"], { root: FIXTURE })).get("up")!;
    shipped = await shippedPlan("shared");
    prod = await shippedPlan("prod");
  });

  it("resolves Pulumi.yaml main the way the engine does (none: the project root; a file: its folder)", () => {
    const project = readProject(REPO_ROOT);
    // No `main`: the CLI runs the program and its plugins in the repository root (see Pulumi.yaml).
    expect(project.main).to.equal(undefined);
    expect(pwdMain(project)).to.deep.equal({ pwd: REPO_ROOT, main: "." });
    expect(pwdMain({ ...project, main: "infra/index.ts" })).to.deep.equal({ pwd: path.join(REPO_ROOT, "infra"), main: "index.ts" });
    expect(pwdMain({ ...project, main: "infra" })).to.deep.equal({ pwd: path.join(REPO_ROOT, "infra"), main: "." });
  });

  it("sets the language host's environment from Pulumi.yaml runtime options", () => {
    const env = languageHostEnv(readProject(REPO_ROOT), "dev", { "aws:region": "ap-northeast-2" }, "organization");
    expect(env).to.deep.equal({
      PULUMI_CONFIG: '{"aws:region":"ap-northeast-2"}',
      PULUMI_CONFIG_SECRET_KEYS: "[]",
      PULUMI_NODEJS_PROJECT: "platform",
      PULUMI_NODEJS_STACK: "dev",
      PULUMI_NODEJS_ROOT_DIRECTORY: REPO_ROOT,
      PULUMI_NODEJS_ORGANIZATION: "organization",
      PULUMI_NODEJS_TYPESCRIPT: "true",
    });
  });

  it("runs the program in its working directory with ts-node registered by run() as the CLI does", () => {
    const evidence = fixture.outputs.evidence as Record<string, unknown>;
    expect(evidence).to.deep.equal({
      cwd: FIXTURE,
      typescript: "true",
      tsNodeTranspileOnly: true,
      // No tsconfig.json in the program's folder: run() tells ts-node to skip project lookup and
      // uses its own defaults (module NodeNext = 199), exactly what `pulumi up` would do here.
      tsNodeSkipProject: true,
      tsNodeModule: 199,
    });
  });

  it("runs the shipped entry point inside runInPulumiStack (root Stack with the program's outputs)", () => {
    const root = shipped.deployment.deployment.resources![0];
    expect(root.urn).to.equal("urn:pulumi:shared::platform::pulumi:pulumi:Stack::platform-shared");
    expect(root.outputs).to.deep.equal(shipped.outputs);
    expect(Object.keys(root.outputs!)).to.include("vpcId");
  });

  it("with type checking on (the CLI's default without PULUMI_NODEJS_TRANSPILE_ONLY), prod loads and plans the same", async function () {
    this.timeout(300_000);
    const typeChecked = (await planStacks(["prod"], { upstream: { shared: shipped }, transpileOnly: false })).get("prod")!;
    expect(typeChecked.deployment).to.deep.equal(prod.deployment);
  });

  describe("the CLI's working directory and compiler, derived from Pulumi.yaml as the CLI derives them", () => {
    const project = readProject(REPO_ROOT);
    const { pwd } = pwdMain(project);
    // What cmd/run/run.js reads: PULUMI_NODEJS_TSCONFIG_PATH (runtime option `tsconfig`) or
    // ./tsconfig.json in the working directory, through tsutils' loadTypeScriptCompilerOptions,
    // which takes the file's own compilerOptions and ignores `extends`.
    const tsconfig = path.join(pwd, typeof project.runtimeOptions.tsconfig === "string" ? project.runtimeOptions.tsconfig : "tsconfig.json");
    const { loadTypeScriptCompilerOptions } = require("@pulumi/pulumi/tsutils") as {
      loadTypeScriptCompilerOptions: (file: string) => Record<string, unknown>;
    };

    it("the program's path root (infra/paths.ts PROGRAM_DIR) is the folder the CLI runs the program and its plugins in", () => {
      expect(PROGRAM_DIR).to.equal(pwd);
      expect(resolveProgramPath("services/hello")).to.equal(path.join(pwd, "services", "hello"));
    });

    it("the CLI compiles with exactly the compilerOptions `npm test` (tsc -p tsconfig.json) uses", () => {
      const cli = loadTypeScriptCompilerOptions(tsconfig);
      // run.js fills only these four when absent (ES2020 / nodenext / nodenext / sourceMap); all are set.
      expect(cli).to.include.keys("target", "module", "moduleResolution", "sourceMap");
      const parsed = ts.getParsedCommandLineOfConfigFile(path.join(REPO_ROOT, "tsconfig.json"), {}, {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
        },
      })!;
      const { configFilePath, ...npmTest } = parsed.options;
      expect(configFilePath).to.equal(path.join(REPO_ROOT, "tsconfig.json"));
      expect(ts.convertCompilerOptionsFromJson(cli, pwd).options).to.deep.equal(npmTest);
      // The old layout (main: infra/index.ts, infra/tsconfig.json extending the root) handed the CLI
      // an empty set, i.e. run.js's nodenext defaults instead of the repository's commonjs settings.
      expect(JSON.parse(fs.readFileSync(tsconfig, "utf8"))).to.not.have.property("extends");
    });

    it("every path input the program hands to a provider resolves in that directory (image build contexts)", () => {
      const found: string[] = [];
      for (const plan of [prod, shipped]) {
        for (const r of plan.deployment.deployment.resources ?? []) {
          for (const rel of providerPaths(r.type, r.inputs ?? {})) {
            found.push(`${plan.stack} ${r.type} ${rel}`);
            expect(path.isAbsolute(rel), rel).to.equal(false);
            expect(fs.existsSync(path.join(pwd, rel, r.type === "awsx:ecr:Image" ? "Dockerfile" : "")), `${rel} from ${pwd}`).to.equal(true);
            // The config check looks in the same place, so it passes exactly when the build would find the file.
            if (r.type === "awsx:ecr:Image") expect(defaultDockerfileExists(rel)).to.equal(true);
          }
        }
      }
      expect(found).to.deep.equal(["prod awsx:ecr:Image services/hello", "prod awsx:ecr:Image services/db-bootstrap"]);
      // Under the old `main: infra/index.ts` the build ran in infra/ and found no Dockerfile there.
      const old = pwdMain({ ...project, main: "infra/index.ts" }).pwd;
      expect(fs.existsSync(path.join(old, "services", "hello", "Dockerfile"))).to.equal(false);
    });
  });

  it("relies on nothing from cmd/run/index.js but the one constant the worker seeds", () => {
    const runJs = fs.readFileSync(require.resolve("@pulumi/pulumi/cmd/run/run.js"), "utf8");
    // `mod.__esModule` is the __importStar helper's own parameter, not a use of index.js.
    const uses = [...new Set(runJs.match(/\bmod\.[A-Za-z_]+/g) ?? [])].filter((u) => u !== "mod.__esModule");
    expect(uses).to.deep.equal(["mod.nodeJSProcessExitedAfterLoggingUserActionableMessage"]);
    const indexJs = fs.readFileSync(require.resolve("@pulumi/pulumi/cmd/run/index.js"), "utf8");
    expect(indexJs).to.contain("exports.nodeJSProcessExitedAfterLoggingUserActionableMessage = 32;");
    expect(SEEDS["@pulumi/pulumi/cmd/run/index.js"]).to.deep.equal({ nodeJSProcessExitedAfterLoggingUserActionableMessage: 32 });
  });

  it("seeds cmd/run/tracing.js with what it is without --tracing: the same exports, a non-recording span", () => {
    const runJs = fs.readFileSync(require.resolve("@pulumi/pulumi/cmd/run/run.js"), "utf8");
    expect([...new Set(runJs.match(/\btracing\.[A-Za-z]+/g))].sort()).to.deep.equal(["tracing.newSpan", "tracing.start", "tracing.stop"]);
    // start() only behind the --tracing flag, which the worker never passes.
    expect(runJs).to.match(/if \(tracingIsEnabled\(tracingUrl\)\) \{\s+tracing\.start\(tracingUrl\);/);
    const real = require("@pulumi/pulumi/cmd/run/tracing.js") as Record<string, (name?: string) => Record<string, () => unknown>>;
    const seed = SEEDS["@pulumi/pulumi/cmd/run/tracing.js"] as Record<string, unknown>;
    expect(Object.keys(seed).sort()).to.deep.equal(Object.keys(real).sort());
    const span = real.newSpan("language-runtime.run");
    expect(span.isRecording()).to.equal(false);
    expect(NOOP_SPAN.spanContext()).to.deep.equal(span.spanContext());
    const methods = new Set<string>();
    for (let p = Object.getPrototypeOf(span); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
      for (const n of Object.getOwnPropertyNames(p)) if (n !== "constructor") methods.add(n);
    }
    expect(Object.keys(NOOP_SPAN).sort()).to.deep.equal([...methods].sort());
    expect(NOOP_SPAN.setAttribute("k", "v")).to.equal(NOOP_SPAN);
    expect(() => (seed.start as () => void)()).to.throw("platform plan does not trace: the worker never passes --tracing to run().");
  });
});
