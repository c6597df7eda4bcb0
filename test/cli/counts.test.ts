import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { estimate, parseDeploymentDocument, parseUsageFile, renderReportText, shippedPriceTable } from "../../cli/cost";
import { diffDeployments } from "../../cli/diff/engine";
import { renderText } from "../../cli/diff/render";
import { loadReplaceTable } from "../../cli/diff/table";
import { countResources, describeCounts } from "../../cli/plan/counts";
import { ResourceV3, UntypedDeployment } from "../../cli/plan/deployment";
import { renderPlanText } from "../../cli/plan/render";

const REPO = path.join(__dirname, "..", "..");
const REMOTE = ["urn:pulumi:dev::platform::awsx:ecr:Repository::dev-api-repo", "urn:pulumi:dev::platform::awsx:ecr:Image::dev-api-image"];

/** The dev-full fixture plus a StackReference read, the one kind of entry it lacks. */
function devPlan(): UntypedDeployment {
  const doc = JSON.parse(fs.readFileSync(path.join(REPO, "test", "fixtures", "cost", "dev-full.json"), "utf8")) as UntypedDeployment;
  const read: ResourceV3 = {
    urn: "urn:pulumi:dev::platform::pulumi:pulumi:StackReference::organization/platform/shared",
    custom: true,
    external: true,
    id: "organization/platform/shared",
    type: "pulumi:pulumi:StackReference",
    inputs: { name: "organization/platform/shared" },
    outputs: {},
    parent: "urn:pulumi:dev::platform::pulumi:pulumi:Stack::platform-dev",
  };
  return { ...doc, deployment: { ...doc.deployment, resources: [...(doc.deployment.resources ?? []), read] } };
}

describe("resource counts: what plan, diff and cost each count", () => {
  const doc = devPlan();
  const counts = countResources(doc.deployment.resources ?? [], REMOTE);

  it("splits the document into custom, components, providers, reads and the stack", () => {
    expect(counts).to.deep.equal({ total: 29, stack: 1, providers: 1, components: 3, remoteComponents: 2, reads: 1, custom: 23, managed: 28 });
    expect(describeCounts(counts)).to.equal("23 custom, 3 components (2 remote), 1 provider, 1 read, 1 stack");
  });

  it("plan's header counts every entry of the document and names the parts", () => {
    const text = renderPlanText(doc, { stack: "dev", remoteUrns: REMOTE });
    expect(text.split("\n")[0]).to.equal("Stack dev: 29 resources (23 custom, 3 components (2 remote), 1 provider, 1 read, 1 stack)");
  });

  it("diff compares every entry except reads, and says so", () => {
    const empty: UntypedDeployment = { version: 3, deployment: { manifest: doc.deployment.manifest, resources: [] } };
    const d = diffDeployments({ base: empty, head: doc, table: loadReplaceTable(), baseLabel: "nothing", headLabel: "dev" });
    const s = d.summary;
    expect(s.create + s.update + s.replace + s.same).to.equal(counts.managed);
    expect(renderText(d)).to.contain(
      "  28 to create, 0 to update, 0 to replace, 0 to delete, 0 unchanged\n" +
        "  (every resource Pulumi manages; reads such as StackReferences are never created or changed, so not compared)\n",
    );
  });

  it("cost counts custom resources and the remote component that stands for an ECR repository", () => {
    const usage = parseUsageFile(fs.readFileSync(path.join(REPO, "cli", "cost", "usage.default.yml"), "utf8"), "usage.default.yml");
    const report = estimate(parseDeploymentDocument(JSON.parse(JSON.stringify(doc)), "dev"), {
      region: "ap-northeast-2",
      prices: shippedPriceTable(),
      usage: [usage],
    });
    const s = report.summary;
    expect(s.estimated + s.free + s.unsupported).to.equal(counts.custom + 1);
    expect(renderReportText(report)).to.contain(
      `${counts.custom + 1} cloud resources were detected (custom resources; the stack, providers, reads and components are not counted):`,
    );
  });
});
