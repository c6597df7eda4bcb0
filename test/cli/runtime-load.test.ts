import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { languageHostEnv, pwdMain, readProject } from "../../cli/evaluate/project";
import { REPO_ROOT } from "../../cli/evaluate/stack-config";
import { planStacks, StackPlan } from "../../cli/plan/planner";
import { shippedPlan } from "../support/plans";
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

describe("runtime load: the program runs through the Pulumi CLI's Node.js entry", () => {
  let fixture: StackPlan;
  let shipped: StackPlan;

  before(async function () {
    this.timeout(120_000);
    fixture = (await planStacks(["up"], { root: FIXTURE })).get("up")!;
    shipped = await shippedPlan("shared");
  });

  it("resolves Pulumi.yaml main the way the engine does (file: its folder is the working directory)", () => {
    const project = readProject(REPO_ROOT);
    expect(project.main).to.equal("infra/index.ts");
    expect(pwdMain(project)).to.deep.equal({ pwd: path.join(REPO_ROOT, "infra"), main: "index.ts" });
    expect(pwdMain({ ...project, main: "infra" })).to.deep.equal({ pwd: path.join(REPO_ROOT, "infra"), main: "." });
    expect(pwdMain({ ...project, main: undefined })).to.deep.equal({ pwd: REPO_ROOT, main: "." });
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
    const transpiled = await shippedPlan("prod");
    expect(typeChecked.deployment).to.deep.equal(transpiled.deployment);
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
