import { expect } from "chai";
import { Evaluation, evaluate } from "../../../cli/evaluate/harness";
import { MOCK_ACCOUNT_ID } from "../../../cli/evaluate/mocks";
import { engineConfigFor } from "../../../cli/evaluate/stack-config";
import { parseConfig } from "../../../infra/config";
import { managementReference } from "../../../infra/peering";
import { DIY_ORGANIZATION } from "../../../infra/stacks";
import { ContainerDefinition, PolicyDocument } from "../../../infra/app/plan";
import { T, evaluatedStacks, input, one } from "./evaluated";

/**
 * Who owns what between Pulumi and an application's release pipeline, evaluated as successive
 * `pulumi up` runs: the SSM parameter store of the mocks plays AWS's live state (what the pipeline
 * left there), the stack file plays the platform team's config.
 */
const PARAM = "/platform/staging/services/hello/image";
const RELEASED = `${MOCK_ACCOUNT_ID}.dkr.ecr.ap-northeast-2.amazonaws.com/platform/staging/hello@sha256:${"c0ffee".repeat(10)}abcd`;

async function run(stack: string, options: { ssmParameters?: Record<string, string>; edit?: (services: Array<Record<string, unknown>>) => void } = {}): Promise<Evaluation> {
  const shared = (await evaluatedStacks()).get("shared")!;
  const config = engineConfigFor(stack);
  if (options.edit) {
    const services = JSON.parse(config["platform:services"]) as Array<Record<string, unknown>>;
    options.edit(services);
    config["platform:services"] = JSON.stringify(services);
  }
  const parsed = parseConfig(stack, "platform", config);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const program = require("../../../infra/index") as () => Promise<Record<string, unknown>>;
  return evaluate(program, {
    stack,
    region: "ap-northeast-2",
    config,
    stackOutputs: { [managementReference(parsed.peering!, DIY_ORGANIZATION)]: shared.outputs },
    ssmParameters: options.ssmParameters,
  });
}

const container = (ev: Evaluation, stack: string) =>
  (JSON.parse(input<string>(one(ev, T.taskDef, `${stack}-svc-hello-taskdef`), "containerDefinitions")) as ContainerDefinition[])[0];

describe("app tier ownership: Pulumi and release pipelines", function () {
  this.timeout(300_000);

  it("with imageOwner pipeline and no release yet, seeds the parameter with the image Pulumi built and runs it", async () => {
    const ev = await run("staging");
    const built = one(ev, T.image, "staging-svc-hello-image").outputs.imageUri as string;
    const param = one(ev, T.ssmParam, "staging-svc-hello-image-param");
    expect(param.inputs).to.deep.include({ name: PARAM, type: "String", dataType: "text", insecureValue: built });
    expect(param.ignoreChanges).to.deep.equal(["insecureValue", "value"]);
    expect(container(ev, "staging").image).to.equal(built);
  });

  it("after the pipeline released a new image, the next pulumi up keeps it while still applying Pulumi's own changes", async () => {
    // The platform team changes an environment variable and the stop timeout in the same run.
    const ev = await run("staging", {
      ssmParameters: { [PARAM]: RELEASED },
      edit: (services) => {
        services[0].environment = { FEATURE_FLAGS: "beta" };
        services[0].stopTimeoutSeconds = 45;
      },
    });
    const c = container(ev, "staging");
    expect(c.image).to.equal(RELEASED);
    expect(c.stopTimeout).to.equal(45);
    expect(c.environment.find((e) => e.name === "FEATURE_FLAGS")).to.deep.equal({ name: "FEATURE_FLAGS", value: "beta" });
    // Pulumi's desired value of the parameter is still the seed, but it is ignored: the pipeline's
    // release is never written back.
    const param = one(ev, T.ssmParam, "staging-svc-hello-image-param");
    expect(param.inputs.insecureValue).to.not.equal(RELEASED);
    expect(param.outputs.insecureValue).to.equal(RELEASED);
  });

  it("keeps pull rights scoped to the service's repository: a pipeline must release into it", async () => {
    const ev = await run("staging", { ssmParameters: { [PARAM]: RELEASED } });
    const doc = JSON.parse(input<string>(one(ev, T.rolePolicy, "staging-svc-hello-execution-role"), "policy")) as PolicyDocument;
    expect(doc.Statement.find((s) => s.Sid === "PullImage")!.Resource).to.deep.equal([
      `arn:aws:ecr:ap-northeast-2:${MOCK_ACCOUNT_ID}:repository/platform/staging/hello`,
    ]);
  });

  it("with imageOwner pulumi, the config alone decides: a value in the parameter store changes nothing", async () => {
    const ev = await run("dev", { ssmParameters: { "/platform/dev/services/hello/image": RELEASED } });
    expect(ev.resources.filter((r) => r.type === T.ssmParam)).to.have.length(0);
    expect(container(ev, "dev").image).to.equal(one(ev, T.image, "dev-svc-hello-image").outputs.imageUri);
  });

  it("with an existing image reference and pipeline ownership, seeds the parameter with that reference", async () => {
    const pinned = `${MOCK_ACCOUNT_ID}.dkr.ecr.ap-northeast-2.amazonaws.com/hello@sha256:${"d".repeat(64)}`;
    const ev = await run("staging", {
      edit: (services) => {
        delete services[0].build;
        services[0].image = pinned;
      },
    });
    // Only the database bootstrap task's image is still built; the service's is not.
    expect(ev.resources.filter((r) => r.type === T.repo || r.type === T.image).map((r) => r.name)).to.deep.equal(["staging-db-bootstrap-repo", "staging-db-bootstrap-image"]);
    expect(one(ev, T.ssmParam, "staging-svc-hello-image-param").inputs.insecureValue).to.equal(pinned);
    expect(container(ev, "staging").image).to.equal(pinned);
  });

  it("with autoscaling, ignores desiredCount after creation; without it, Pulumi owns the count", async () => {
    const scaled = await run("staging");
    expect(one(scaled, T.service, "staging-svc-hello-service").ignoreChanges).to.deep.equal(["desiredCount"]);
    const fixed = await run("staging", {
      edit: (services) => {
        delete services[0].autoscaling;
        services[0].desiredCount = 3;
      },
    });
    const svc = one(fixed, T.service, "staging-svc-hello-service");
    expect([svc.inputs.desiredCount, svc.ignoreChanges]).to.deep.equal([3, []]);
    expect(fixed.resources.filter((r) => r.type === T.scalingTarget && r.inputs.serviceNamespace === "ecs")).to.have.length(0);
  });
});
