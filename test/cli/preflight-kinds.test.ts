import { expect } from "chai";
import type { DeploymentDocument, DeploymentResource } from "../../cli/cost/types";
import { checkQuotas } from "../../cli/preflight/check";
import { Contribution, countStack } from "../../cli/preflight/count";
import { quotaById, shippedQuotaTable } from "../../cli/preflight/quota-table";
import { shippedPlan } from "../support/plans";

/** ACM certificates and CloudWatch alarm actions: counted where their provider creates them. */

const STACK_URN = "urn:pulumi:t::platform::pulumi:pulumi:Stack::platform-t";
function res(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<DeploymentResource> = {}): DeploymentResource {
  return { urn: `urn:pulumi:t::platform::${type}::${name}`, type, custom: true, id: `${name}-id`, inputs, outputs: {}, parent: STACK_URN, ...extra };
}
const seoul = res("pulumi:providers:aws", "aws", { region: "ap-northeast-2", allowedAccountIds: ["111111111111"] }, { id: "p1" });
const east = res("pulumi:providers:aws", "edge-us-east-1", { region: "us-east-1", allowedAccountIds: ["111111111111"] }, { id: "p2", parent: "urn:pulumi:t::platform::platform:edge:Edge::edge" });
const on = (p: DeploymentResource) => ({ provider: `${p.urn}::${p.id}` });
function doc(...resources: DeploymentResource[]): DeploymentDocument {
  const stack: DeploymentResource = { urn: STACK_URN, type: "pulumi:pulumi:Stack", custom: false };
  return { version: 3, deployment: { resources: [stack, seoul, east, ...resources.map((r) => ({ ...on(seoul), ...r }))] } };
}
const at = (cs: readonly Contribution[], quota: string) => cs.filter((c) => c.quota === quota).map((x) => [x.resource, x.amount, x.subject, x.location.region]);
const CERT = "aws:acm/certificate:Certificate";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

describe("preflight: ACM certificates and alarm actions", () => {
  it("counts each certificate in its provider's Region, and its domain names (the domain plus distinct SANs)", () => {
    const c = countStack(
      doc(
        res(CERT, "alb-cert", { domainName: "app.example.com", subjectAlternativeNames: ["app.example.com", "www.example.com"] }),
        res(CERT, "edge-cert", { domainName: "cdn.example.com" }, on(east)),
      ),
      "t",
    ).contributions;
    expect(at(c, "acm-certificates")).to.deep.equal([
      ["alb-cert", 1, undefined, "ap-northeast-2"],
      ["edge-cert", 1, undefined, "us-east-1"],
    ]);
    expect(at(c, "acm-domains-per-certificate")).to.deep.equal([
      ["alb-cert", 2, "t/alb-cert", "ap-northeast-2"],
      ["edge-cert", 1, "t/edge-cert", "us-east-1"],
    ]);
  });

  it("fails a certificate with 10 alternative names: 11 domain names > 10 (ACM's default)", () => {
    const sans = Array.from({ length: 10 }, (_, i) => `n${i}.example.com`);
    const count = countStack(doc(res(CERT, "alb-cert", { domainName: "app.example.com", subjectAlternativeNames: sans })), "t");
    const q = checkQuotas([count], shippedQuotaTable(), {}).accounts[0].quotas.find((x) => x.id === "acm-domains-per-certificate")!;
    expect([q.used, q.limit, q.ok]).to.deep.equal([11, 10, false]);
  });

  it("counts an alarm's actions per action list (5 each, not adjustable) and nothing for an alarm without actions", () => {
    const topics = (n: number) => Array.from({ length: n }, (_, i) => `arn:aws:sns:ap-northeast-2:111111111111:t${i}`);
    const c = countStack(doc(res(ALARM, "tunnel-down", { alarmActions: topics(6), okActions: topics(1) }), res(ALARM, "quiet", { alarmActions: [] })), "t").contributions;
    expect(at(c, "alarm-actions-per-alarm")).to.deep.equal([
      ["tunnel-down", 6, "t/tunnel-down:alarmActions", "ap-northeast-2"],
      ["tunnel-down", 1, "t/tunnel-down:okActions", "ap-northeast-2"],
    ]);
    const q = quotaById(shippedQuotaTable(), "alarm-actions-per-alarm");
    expect([q.default, q.scope, q.adjustable]).to.deep.equal([5, "alarm", false]);
  });

  it("in shipped prod: the ALB's certificate in ap-northeast-2 and the edge's in us-east-1, and the edge's KMS key and web ACL in us-east-1", async function () {
    this.timeout(180_000);
    const plan = await shippedPlan("prod");
    const c = countStack(plan.deployment, "prod").contributions;
    expect(at(c, "acm-certificates")).to.deep.equal([
      ["prod-edge-cert", 1, undefined, "us-east-1"],
      ["prod-alb-cert", 1, undefined, "ap-northeast-2"],
    ]);
    expect(at(c, "kms-keys").filter((x) => x[3] === "us-east-1")).to.deep.equal([["prod-edge-logs-key", 1, undefined, "us-east-1"]]);
    expect(at(c, "waf-web-acls")).to.deep.equal([["prod-edge-waf", 1, undefined, "us-east-1"]]);
    expect(at(c, "alarm-actions-per-alarm")).to.deep.equal([]);
  });
});
