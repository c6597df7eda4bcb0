import { expect } from "chai";
import type { Mermaid } from "mermaid";
import { buildDiagram, mermaidId, mermaidText } from "../../cli/review/diagram";
import { ALL_SHAPES, buildStack, DEV, PROD, SHARED, StackShape } from "../fixtures/review/stack";
import { shippedPlans } from "../support/plans";

/**
 * Mermaid's own parser, loaded once. It is the package GitHub renders with; under Node it needs
 * a DOM only for DOMPurify, which captures `window` when it is first loaded, so a jsdom window
 * is installed for the load and removed again (nothing else in the test run sees it).
 */
let mermaid: Mermaid | undefined;
function loadMermaid(): Mermaid {
  if (mermaid) return mermaid;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { JSDOM } = require("jsdom") as { JSDOM: new (html: string) => { window: unknown } };
  const g = globalThis as { window?: unknown };
  g.window = new JSDOM("").window;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mermaid = (require("mermaid") as { default: Mermaid }).default;
  } finally {
    delete g.window;
  }
  return mermaid;
}

async function parse(text: string): Promise<string> {
  const result = await loadMermaid().parse(text);
  return result ? result.diagramType : "rejected";
}

const diagramOf = (...shapes: StackShape[]) =>
  buildDiagram(shapes.map((s) => ({ stack: s.stack, head: buildStack(s) })));

describe("review diagram", () => {
  it("with one stack, draws its VPC, tiers with AZ subnets, ALB → service → Aurora, NAT and the peer", () => {
    expect(
      diagramOf({ ...PROD, peerVpcId: "vpc-0abc", dbFromSecurityGroupId: undefined }),
    ).to.equal(
      [
        "flowchart LR",
        '  subgraph vpc_prod_vpc["prod · VPC 10.30.0.0/16 · 3 AZs"]',
        "    direction LR",
        '    subgraph vpc_prod_vpc_public["public"]',
        '      vpc_prod_vpc_public_subnets["2a 10.30.128.0/21<br/>2b 10.30.136.0/21<br/>2c 10.30.144.0/21"]',
        '      prod_alb_alb["ALB"]',
        '      prod_nat["NAT gateway ×3"]',
        "    end",
        '    subgraph vpc_prod_vpc_private["private"]',
        '      vpc_prod_vpc_private_subnets["2a 10.30.0.0/19<br/>2b 10.30.32.0/19<br/>2c 10.30.64.0/19"]',
        '      prod_svc_api["ECS api<br/>3 tasks"]',
        '      prod_svc_worker["ECS worker<br/>2 tasks"]',
        "    end",
        '    subgraph vpc_prod_vpc_isolated["isolated"]',
        '      vpc_prod_vpc_isolated_subnets["2a 10.30.160.0/21<br/>2b 10.30.168.0/21<br/>2c 10.30.176.0/21"]',
        '      prod_db_db[("Aurora<br/>aurora-postgresql<br/>2 × db.r6g.large")]',
        "    end",
        "  end",
        '  peer_vpc_0abc["peer VPC vpc-0abc"]',
        "  peer_vpc_0abc <-. peering .-> vpc_prod_vpc",
        '  internet(("Internet"))',
        '  internet -->|"443"| prod_alb_alb',
        '  prod_alb_alb -->|"8080"| prod_svc_api',
        "  prod_nat -.-> internet",
        '  prod_svc_api -->|"5432"| prod_db_db',
        '  prod_svc_worker -->|"5432"| prod_db_db',
        "  vpc_prod_vpc_private -. egress .-> prod_nat",
        "",
      ].join("\n"),
    );
  });

  it("with the four stacks, draws one peering edge per environment to the shared VPC, matched by VPC id", () => {
    const lines = diagramOf(...ALL_SHAPES).split("\n");
    expect(lines.filter((l) => l.includes("peering"))).to.deep.equal([
      "  vpc_shared_vpc <-. peering .-> vpc_dev_vpc",
      "  vpc_shared_vpc <-. peering .-> vpc_staging_vpc",
      "  vpc_shared_vpc <-. peering .-> vpc_prod_vpc",
    ]);
    expect(lines.filter((l) => l.startsWith("  subgraph "))).to.have.length(4);
  });

  it("draws a rule that admits another stack's security group by id as an edge across stacks (shared bastion → dev Aurora)", () => {
    const lines = diagramOf(SHARED, DEV).split("\n");
    expect(lines).to.include('  shared_bastion -->|"5432"| dev_db_db');
    expect(lines).to.include('      shared_bastion["Bastion<br/>t4g.nano"]');
  });

  it("labels a NAT instance with its instance type and puts a network-only stack's bastion in its tier", () => {
    const lines = diagramOf(SHARED, DEV).split("\n");
    expect(lines).to.include('      dev_nat["NAT instance<br/>t4g.nano"]');
    const privateTier = lines.indexOf('    subgraph vpc_shared_vpc_private["private"]');
    expect(lines[privateTier + 2]).to.equal('      shared_bastion["Bastion<br/>t4g.nano"]');
  });

  it("escapes quotes and angle brackets in node text and keeps ids to letters, digits and underscores", () => {
    expect(mermaidText('a "b" <c> & d')).to.equal("a #quot;b#quot; #lt;c#gt; #amp; d");
    expect(mermaidId("prod", "svc", "api-v2.beta")).to.equal("prod_svc_api_v2_beta");
  });

  describe("parses with the mermaid package", function () {
    // Loading mermaid (d3, dagre, DOMPurify) takes a second or two on a shared core.
    this.timeout(60_000);

    it("the four-stack diagram parses as a flowchart", async () => {
      expect(await parse(diagramOf(...ALL_SHAPES))).to.equal("flowchart-v2");
    });

    it("the shipped shared and dev plans' diagram, with the office VPN (office, gateway, tunnels), parses", async () => {
      const plans = await shippedPlans(["shared", "dev"]);
      const text = buildDiagram([...plans.values()].map((p) => ({ stack: p.stack, head: p.deployment })));
      expect(text).to.contain("shared_office_office");
      expect(await parse(text)).to.equal("flowchart-v2");
    });

    it("a diagram whose names carry quotes and brackets parses", async () => {
      const odd = {
        ...PROD,
        stack: 'we"ird<env>',
        services: { 'a"b': { desiredCount: 1, cpu: 256, memory: 512, port: 80 } },
      };
      expect(await parse(diagramOf(odd))).to.equal("flowchart-v2");
    });

    it("fails on a broken diagram (an unclosed node shape and subgraph): the check really validates", async () => {
      let error = "";
      try {
        await parse('flowchart LR\n  subgraph a["A"]\n    x["ALB" --> y[[');
      } catch (err) {
        error = (err as Error).message;
      }
      expect(error).to.match(/^Parse error on line 3:/);
    });
  });
});
