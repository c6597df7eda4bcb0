import { expect } from "chai";
import { parseConfig } from "../../../infra/config";
import { engineConfigFor } from "../../../cli/evaluate/stack-config";
import { DEFAULT_EDGE_LOG_RETENTION_DAYS, DEFAULT_PRICE_CLASS, DEFAULT_RATE_LIMIT, resolveEdgeSettings } from "../../../infra/edge/config";
import { problemsOfEditedStack } from "../config/problems";

type Raw = Record<string, unknown>;
const FILE = "environments/Pulumi.staging.yaml";

/** staging's file with platform:edge replaced by `edge` (and `alb` changed when given). */
function problems(edge: Raw | undefined, alb?: (a: Raw) => Raw | undefined): string[] {
  return problemsOfEditedStack("staging", (c) => {
    if (edge === undefined) delete c["platform:edge"];
    else c["platform:edge"] = edge;
    if (alb) {
      const next = alb(c["platform:alb"] as Raw);
      if (next === undefined) {
        delete c["platform:alb"];
        delete c["platform:services"];
        delete c["platform:database"];
      } else c["platform:alb"] = next;
    }
  }).map((p) => `${p.key}: received ${JSON.stringify(p.received)}; allowed: ${p.allowed}; fix: ${p.fix}`);
}

describe("edge/config: the shipped stacks", () => {
  it("staging and prod run behind the edge, dev and shared do not", () => {
    const edge = (s: string) => {
      const c = parseConfig(s, "platform", engineConfigFor(s));
      return resolveEdgeSettings(c.edge, c.alb);
    };
    expect(edge("dev")).to.equal(undefined);
    expect(edge("shared")).to.equal(undefined);
    expect(edge("staging")?.priceClass).to.equal("PriceClass_200");
    expect(edge("prod")?.priceClass).to.equal("PriceClass_All");
  });

  it("resolves staging's edge: aliases and the origin name from platform:alb, behaviours in config order, defaults filled in", () => {
    const c = parseConfig("staging", "platform", engineConfigFor("staging"));
    expect(resolveEdgeSettings(c.edge, c.alb)).to.deep.equal({
      aliases: ["staging.app.example.com"],
      hostedZone: "example.com",
      originDomain: "origin.staging.app.example.com",
      priceClass: "PriceClass_200",
      defaultBehaviour: { origin: "alb", cache: "uncached", forward: "all" },
      behaviours: [
        { path: "/api/*", origin: "alb", cache: "uncached", forward: "all" },
        { path: "/static/*", origin: "assets", cache: "cached", forward: "none" },
        { path: "/app/*", origin: "assets", cache: "cached", forward: "none", functionName: "spa-rewrite" },
      ],
      functions: [{ name: "spa-rewrite", file: "edge/functions/spa-rewrite.js", eventType: "viewer-request" }],
      waf: { rateLimit: 2000, allowCidrs: [], denyCidrs: [] },
      logRetentionDays: 30,
      assetsBucketForceDestroy: false,
    });
  });

  it("with only `platform:edge: {}`, uses the documented defaults", () => {
    const c = parseConfig("staging", "platform", { ...engineConfigFor("staging"), "platform:edge": "{}" });
    const s = resolveEdgeSettings(c.edge, c.alb);
    expect([s?.priceClass, s?.waf.rateLimit, s?.logRetentionDays, s?.behaviours, s?.functions]).to.deep.equal([
      DEFAULT_PRICE_CLASS,
      DEFAULT_RATE_LIMIT,
      DEFAULT_EDGE_LOG_RETENTION_DAYS,
      [],
      [],
    ]);
  });

  it("with enabled: false, builds no edge", () => {
    const c = parseConfig("staging", "platform", { ...engineConfigFor("staging"), "platform:edge": JSON.stringify({ enabled: false }) });
    expect(resolveEdgeSettings(c.edge, c.alb)).to.equal(undefined);
  });
});

describe("edge/config: refused configurations (one aggregated error)", () => {
  it("fails without platform:alb", () => {
    expect(problems({}, () => undefined)).to.deep.equal([
      `platform:edge: received "set"; allowed: only together with platform:alb: CloudFront's dynamic origin is the environment's ALB; fix: add platform:alb (with domain and hostedZone) to ${FILE}, or remove platform:edge`,
    ]);
  });

  it("fails with an ALB that uses an existing certificate ARN (the origin name needs the ALB's own certificate)", () => {
    expect(problems({}, () => ({ certificateArn: "arn:aws:acm:ap-northeast-2:111111111111:certificate/0f1e2d3c-4b5a-4697-8877-665544332211" }))).to.deep.equal([
      `platform:edge: received "set"; allowed: only with platform:alb.domain and hostedZone: the ALB's certificate must also cover the origin name CloudFront connects to; fix: replace platform:alb.certificateArn with domain and hostedZone in ${FILE}, or remove platform:edge`,
    ]);
  });

  it("fails on a misspelt price class, with a did-you-mean", () => {
    expect(problems({ priceClass: "PriceClass_20" })).to.deep.equal([
      `platform:edge.priceClass: received "PriceClass_20"; allowed: one of PriceClass_100, PriceClass_200, PriceClass_All; fix: did you mean "PriceClass_200"? Set platform:edge.priceClass to "PriceClass_200" in ${FILE}`,
    ]);
  });

  it("fails on an unknown origin and an unknown function, each with a did-you-mean", () => {
    expect(
      problems({
        behaviours: [{ path: "/app/*", origin: "asets", function: "spa-rewrit" }],
        functions: { "spa-rewrite": { file: "edge/functions/spa-rewrite.js" } },
      }),
    ).to.deep.equal([
      `platform:edge.behaviours[0].origin: received "asets"; allowed: one of alb, assets; fix: did you mean "assets"? Set platform:edge.behaviours[0].origin to "assets" in ${FILE}`,
      'platform:edge.behaviours[0].function: received "spa-rewrit"; allowed: a function named in platform:edge.functions (spa-rewrite); fix: did you mean "spa-rewrite"?',
      'platform:edge.functions.spa-rewrite: received "spa-rewrite"; allowed: a function some behaviour uses; fix: attach it with function: spa-rewrite on a behaviour, or remove it',
    ]);
  });

  it("fails on a function file that does not exist under the repository root", () => {
    expect(problems({ defaultBehaviour: { function: "rewrite" }, functions: { rewrite: { file: "edge/functions/missing.js" } } })).to.deep.equal([
      'platform:edge.functions.rewrite.file: received "edge/functions/missing.js"; allowed: a JavaScript file relative to the repository root; fix: create edge/functions/missing.js, or correct the path (e.g. "edge/functions/spa-rewrite.js")',
    ]);
  });

  it("fails on a duplicate path, the catch-all pattern, and viewer headers forwarded to S3", () => {
    expect(
      problems({
        behaviours: [
          { path: "/api/*", origin: "alb" },
          { path: "/api/*", origin: "alb" },
          { path: "/*", origin: "alb" },
          { path: "/static/*", origin: "assets", forward: "all" },
        ],
      }),
    ).to.deep.equal([
      'platform:edge.behaviours[1].path: received "/api/*"; allowed: a pattern no other behaviour uses (behaviours[0] has it); fix: remove one of them',
      'platform:edge.behaviours[2].path: received "/*"; allowed: a pattern narrower than everything (that is the default behaviour); fix: move its settings to platform:edge.defaultBehaviour',
      `platform:edge.behaviours[3].forward: received "all"; allowed: "none" for the assets origin: S3 serves objects by key and the viewer's Host would break the Origin Access Control signature; fix: remove platform:edge.behaviours[3].forward (assets get "none")`,
    ]);
  });

  it("fails on host-based service routing behind the edge (the ALB sees the origin name) and on more than 4 paths (the header condition takes a value)", () => {
    expect(
      problemsOfEditedStack("staging", (c) => {
        const hello = (c["platform:services"] as Raw[])[0];
        c["platform:services"] = [
          { ...hello, routing: { hosts: ["staging.app.example.com"], paths: ["/*"] } },
          { ...hello, name: "api", routing: { paths: ["/a/*", "/b/*", "/c/*", "/d/*", "/e/*"], priority: 200 } },
        ];
      })
        .filter((p) => p.key.includes("routing"))
        .map((p) => `${p.key}: ${p.allowed}`),
    ).to.deep.equal([
      "platform:services[0].routing.hosts: no host conditions behind the edge: CloudFront sends the ALB Host = the origin name, never the viewer's",
      "platform:services[1].routing.paths: at most 4 paths behind the edge: the origin-secret header condition takes one of a rule's 5 condition values",
    ]);
  });

  it("fails on an alias outside the hosted zone, an origin name equal to an alias, and an allow list open to the internet", () => {
    expect(
      problems({ aliases: ["www.example.org"], originDomain: "www.example.org", waf: { allowCidrs: ["0.0.0.0/0"], denyCidrs: ["198.51.100.0/24", "not-a-cidr"] } }),
    ).to.deep.equal([
      'platform:edge.aliases[0]: received "www.example.org"; allowed: a name inside the hosted zone example.com; fix: use a name in platform:alb.hostedZone',
      'platform:edge.originDomain: received "www.example.org"; allowed: a DNS name without wildcard inside the hosted zone example.com; fix: remove it (default "origin.<platform:alb.domain>")',
      'platform:edge.originDomain: received "www.example.org"; allowed: a name different from every alias: the alias points at CloudFront, the origin name at the ALB; fix: choose another originDomain',
      'platform:edge.waf.allowCidrs[0]: received "0.0.0.0/0"; allowed: a range no wider than /8: an allow list that admits the whole internet bypasses every WAF rule; fix: narrow it to the office\'s egress range',
      `platform:edge.waf.denyCidrs[1]: received "not-a-cidr"; allowed: an IPv4 CIDR such as 203.0.113.0/24; fix: correct it in ${FILE}`,
    ]);
  });

  it("fails on a deny list entry of /0, which AWS WAF IP sets refuse (IPSet.Addresses: every range except /0), and accepts /1", () => {
    expect(problems({ waf: { denyCidrs: ["0.0.0.0/0", "128.0.0.0/1"] } })).to.deep.equal([
      `platform:edge.waf.denyCidrs[0]: received "0.0.0.0/0"; allowed: an IPv4 CIDR from /1 to /32: AWS WAF IP sets refuse /0; fix: remove it from ${FILE} and list the ranges to block (a deny list of everything would block every viewer)`,
    ]);
  });
});
