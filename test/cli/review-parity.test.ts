import { expect } from "chai";
import { DeploymentGraph } from "../../cli/cost/graph";
import {
  extractSettings,
  natStrategy,
  ParityRow,
  parityRows,
  Setting,
  stripStack,
} from "../../cli/review/parity";
import {
  ALL_SHAPES,
  buildStack,
  DEV,
  PROD,
  SHARED,
  STAGING,
  StackShape,
} from "../fixtures/review/stack";

const settings = (shape: StackShape): Setting[] => extractSettings(buildStack(shape), shape.stack);
const heads = (...shapes: StackShape[]) =>
  shapes.map((s) => ({ stack: s.stack, head: settings(s) }));
const row = (rows: readonly ParityRow[], label: string, resource = ""): ParityRow => {
  const r = rows.find((x) => x.label === label && x.resource === resource);
  if (!r) throw new Error(`no row ${label} ${resource}`);
  return r;
};

describe("review parity", () => {
  it("reads every effective setting of a full stack from its plan, in group order", () => {
    expect(
      settings(PROD).map((s) => `${s.group} | ${s.label} | ${s.resource} | ${s.value}`),
    ).to.deep.equal([
      "Network | Availability zones |  | 3",
      "Network | Subnet tiers |  | public, private, isolated",
      "Network | NAT |  | gateway per AZ (3)",
      "Network | VPC endpoints |  | none",
      "Network | Flow logs |  | ALL",
      "Network | Peering connections |  | 1",
      "Bastion | Bastion |  | none",
      "Load balancer | Deletion protection | alb | on",
      "Load balancer | Access logs | alb | on",
      "Load balancer | Scheme | alb | internet-facing",
      "Load balancer | Listeners | alb | HTTPS:443",
      "ECS | Container Insights | cluster | enabled",
      "ECS | Services |  | api, worker",
      "ECS | Desired count | api | 3",
      "ECS | Task size | api | 1 vCPU / 2048 MiB",
      "ECS | Capacity | api | FARGATE",
      "ECS | Release style | api | rolling 100–200%; stop 30 s, drain 300 s",
      "ECS | Autoscaling | api | off",
      "ECS | Desired count | worker | 2",
      "ECS | Task size | worker | 0.5 vCPU / 1024 MiB",
      "ECS | Capacity | worker | FARGATE",
      "ECS | Release style | worker | rolling 100–200%; stop 30 s",
      "ECS | Autoscaling | worker | off",
      "Aurora | Engine | db | aurora-postgresql 16.4",
      "Aurora | Instances | db | 2 × db.r6g.large",
      "Aurora | Deletion protection | db | on",
      "Aurora | Backup retention | db | 14 days",
      "Aurora | Final snapshot | db | on",
      "Aurora | Storage encrypted | db | on",
      "Aurora | Performance Insights | db | off",
      "Logs | Retention | flow-logs | 365 days",
      "Logs | Retention | api-logs | 365 days",
      "Logs | Retention | worker-logs | 365 days",
      // The fixture has an ALB and no CloudFront distribution in front of it.
      "Edge | CloudFront in front of the ALB |  | off",
    ]);
  });

  it("with a network-only stack, reads the network, the bastion and log retention only", () => {
    expect(settings(SHARED).map((s) => `${s.label}: ${s.value}`)).to.deep.equal([
      "Availability zones: 2",
      "Subnet tiers: public, private, isolated",
      "NAT: single gateway",
      "VPC endpoints: none",
      "Flow logs: ALL",
      "Peering connections: 0",
      "Bastion: t4g.nano",
      "Retention: 365 days",
    ]);
  });

  const natCases: { nat: StackShape["nat"]; azCount: number; expected: string }[] = [
    { nat: "perAz", azCount: 3, expected: "gateway per AZ (3)" },
    { nat: "perAz", azCount: 2, expected: "gateway per AZ (2)" },
    { nat: "single", azCount: 3, expected: "single gateway" },
    { nat: "instance", azCount: 2, expected: "instance (t4g.nano)" },
  ];
  for (const c of natCases) {
    it(`with NAT ${c.nat} over ${c.azCount} AZs, names the strategy "${c.expected}"`, () => {
      const g = new DeploymentGraph(buildStack({ ...SHARED, nat: c.nat, azCount: c.azCount }));
      expect(natStrategy(g, c.azCount)).to.equal(c.expected);
    });
  }

  it("with no NAT resource, names the strategy none", () => {
    expect(
      natStrategy(new DeploymentGraph({ version: 3, deployment: { resources: [] } }), 2),
    ).to.equal("none");
  });

  const strip: [string, string, string][] = [
    ["prod-db", "prod", "db"],
    ["prod", "prod", ""],
    ["production-db", "prod", "production-db"],
    ["shared-bastion-lt", "shared", "bastion-lt"],
  ];
  for (const [name, stack, expected] of strip) {
    it(`strips the stack prefix: ${name} in ${stack} → "${expected}"`, () =>
      expect(stripStack(name, stack)).to.equal(expected));
  }

  it("across the four stacks, marks exactly the settings that differ; a stack without the setting is no difference", () => {
    const rows = parityRows(heads(...ALL_SHAPES));
    expect(
      rows
        .filter((r) => r.differs)
        .map((r) => `${r.group}: ${r.label}${r.resource ? ` ${r.resource}` : ""}`),
    ).to.deep.equal([
      "Network: Availability zones",
      "Network: NAT",
      "Network: Peering connections",
      "Bastion: Bastion",
      "Load balancer: Deletion protection alb",
      "ECS: Desired count api",
      "ECS: Task size api",
      "ECS: Desired count worker",
      "ECS: Task size worker",
      "Aurora: Instances db",
      "Aurora: Deletion protection db",
      "Aurora: Backup retention db",
      "Logs: Retention flow-logs",
      "Logs: Retention api-logs",
      "Logs: Retention worker-logs",
    ]);
    // shared has no ALB: its cell is absent, and dev/staging/prod agree on access logs.
    const logs = row(rows, "Access logs", "alb");
    expect(logs.cells.shared).to.equal(undefined);
    expect(logs.differs).to.equal(false);
    expect(rows.some((r) => r.changed)).to.equal(false);
  });

  it("with staging losing deletion protection that prod has, marks the cell changed and weakened", () => {
    const staging = { ...STAGING, db: { ...STAGING.db!, deletionProtection: false } };
    const rows = parityRows([
      { stack: "staging", base: settings(STAGING), head: settings(staging) },
      { stack: "prod", base: settings(PROD), head: settings(PROD) },
    ]);
    const r = row(rows, "Deletion protection", "db");
    expect(r.group).to.equal("Aurora");
    expect(r.cells).to.deep.equal({
      staging: { head: "off", base: "on", weakened: true },
      prod: { head: "on", weakened: false },
    });
    expect(r.changed).to.equal(true);
    expect(r.differs).to.equal(true);
  });

  const retention: [number, number, boolean][] = [
    [7, 3, true],
    [7, 14, false],
  ];
  for (const [from, to, weakened] of retention) {
    it(`with backup retention ${from} → ${to} days, ${weakened ? "flags" : "does not flag"} the change as weakening`, () => {
      const base = { ...STAGING, db: { ...STAGING.db!, backupRetentionPeriod: from } };
      const head = { ...STAGING, db: { ...STAGING.db!, backupRetentionPeriod: to } };
      const rows = parityRows([{ stack: "staging", base: settings(base), head: settings(head) }]);
      expect(row(rows, "Backup retention", "db").cells.staging).to.deep.equal({
        head: `${to} days`,
        base: `${from} days`,
        weakened,
      });
    });
  }

  it("with a deleted service, keeps its settings as base → nothing and lists the remaining services", () => {
    const head = { ...DEV, services: { api: DEV.services!.api } };
    const rows = parityRows([{ stack: "dev", base: settings(DEV), head: settings(head) }]);
    expect(row(rows, "Desired count", "worker").cells.dev).to.deep.equal({
      base: "1",
      weakened: false,
    });
    expect(row(rows, "Desired count", "worker").changed).to.equal(true);
    expect(row(rows, "Services").cells.dev).to.deep.equal({
      head: "api",
      base: "api, worker",
      weakened: false,
    });
  });
});
