import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { Evaluation, RecordedResource, drainRegistrations, ofType, startRecording } from "../../../cli/evaluate/harness";
import { engineConfigFor } from "../../../cli/evaluate/stack-config";
import { ConfigError, parseConfig } from "../../../infra/config";
import { cidrsOverlap } from "../../../infra/network/cidr";
import { planNetwork } from "../../../infra/network/plan";
import { managementReference, slotRange } from "../../../infra/peering";
import { DIY_ORGANIZATION, MANAGEMENT_STACK, STACK_ORDER } from "../../../infra/stacks";
import { evaluateShipped, evaluateStack } from "../../support/stacks";

/**
 * The environment stacks' peering, evaluated the way they deploy: `shared` first under the mocks,
 * then each environment with its StackReference answered from shared's own outputs (never hand-typed
 * placeholders), so a change to shared's outputs breaks these tests.
 */
const T = {
  ref: "pulumi:pulumi:StackReference",
  vpc: "aws:ec2/vpc:Vpc",
  rt: "aws:ec2/routeTable:RouteTable",
  route: "aws:ec2/route:Route",
  acl: "aws:ec2/networkAcl:NetworkAcl",
  aclRule: "aws:ec2/networkAclRule:NetworkAclRule",
  pcx: "aws:ec2/vpcPeeringConnection:VpcPeeringConnection",
  accepter: "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter",
  options: "aws:ec2/peeringConnectionOptions:PeeringConnectionOptions",
  egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  provider: "pulumi:providers:aws",
  component: "platform:peering:ManagementPeering",
};
const ENVIRONMENTS = STACK_ORDER.filter((s) => s !== MANAGEMENT_STACK);
const CIDR: Record<string, string> = { shared: "10.0.0.0/16", dev: "10.10.0.0/16", staging: "10.20.0.0/16", prod: "10.30.0.0/16" };
const AZS: Record<string, number> = { dev: 2, staging: 3, prod: 3 };
const SLOT: Record<string, number> = { dev: 1, staging: 2, prod: 3 };
/**
 * Environments in another account than the management VPC (environments/Pulumi.<stack>.yaml
 * `accepter.ownerId`): prod runs in its own account, shared/dev/staging share the non-prod one.
 */
const PEER_OWNER: Record<string, string | undefined> = { prod: "111111111111" };

/** The StackReference name an environment's config gives its management peer. */
function referenceOf(stack: string): string {
  return managementReference(parseConfig(stack, "platform", engineConfigFor(stack)).peering!, DIY_ORGANIZATION);
}

const str = (r: RecordedResource, key: string) => r.inputs[key] as string;
const peeringRoutes = (ev: Evaluation) => ofType(ev, T.route).filter((r) => r.inputs.vpcPeeringConnectionId !== undefined);
const tableIds = (ev: Evaluation, stack: string, tier: string) =>
  ofType(ev, T.rt)
    .filter((r) => r.name === `${stack}-${tier}` || r.name.startsWith(`${stack}-${tier}-`))
    .map((r) => r.id!);
const aclId = (ev: Evaluation, stack: string, tier: string) => ofType(ev, T.acl).find((r) => r.name === `${stack}-${tier}`)!.id!;
/**
 * The ports the environment's own NACLs open to the management VPC (the network planner's rules
 * 300–399, built from the app tier's service and database ports). The management side must mirror
 * exactly these, whatever the app tier configures.
 */
function managementPorts(ev: Evaluation, stack: string): { servicePorts: number[]; databasePort: number } {
  const fromMgmt = (tier: string) =>
    ofType(ev, T.aclRule).filter((r) => r.inputs.networkAclId === aclId(ev, stack, tier) && r.inputs.cidrBlock === CIDR.shared && !r.inputs.egress && (r.inputs.ruleNumber as number) < 400);
  const isolated = fromMgmt("isolated");
  expect(isolated, "one database rule from the management VPC").to.have.length(1);
  return { servicePorts: fromMgmt("private").map((r) => r.inputs.fromPort as number).sort((a, b) => a - b), databasePort: isolated[0].inputs.fromPort as number };
}
const ruleRow = (r: RecordedResource) => [r.inputs.egress ? "out" : "in", r.inputs.ruleNumber, r.inputs.cidrBlock, r.inputs.fromPort, r.inputs.toPort].join(" ");

describe("peering in the shipped stacks (shared evaluated first, its outputs feed the environments)", () => {
  let shared: Evaluation;
  const evs = new Map<string, Evaluation>();
  let so: Record<string, unknown>;

  before(async function () {
    this.timeout(240_000);
    shared = await evaluateShipped(MANAGEMENT_STACK);
    so = shared.outputs;
    for (const stack of ENVIRONMENTS) evs.set(stack, await evaluateShipped(stack));
  });

  it("the shared stack peers with nobody and exports everything an environment reads", () => {
    expect(ofType(shared, T.pcx)).to.have.length(0);
    expect(ofType(shared, T.ref)).to.have.length(0);
    expect(so).to.include.keys("region", "vpcId", "vpcCidr", "publicRouteTableIds", "privateRouteTableIds", "isolatedRouteTableIds", "networkAclIds", "tierCidrs", "bastionSecurityGroupId");
    expect(so.vpcCidr).to.equal(CIDR.shared);
  });

  for (const stack of ENVIRONMENTS) {
    describe(`the ${stack} stack`, () => {
      let ev: Evaluation;
      let pcxId: string;
      const env = planNetwork(CIDR[stack], AZS[stack]);
      before(() => {
        ev = evs.get(stack)!;
        pcxId = ofType(ev, T.pcx)[0]?.id ?? "";
      });

      it("reads the management stack through exactly one StackReference, named by platform:peering", () => {
        const refs = ofType(ev, T.ref);
        expect(refs.map((r) => [r.name, r.inputs.name, r.external])).to.deep.equal([["organization/platform/shared", "organization/platform/shared", true]]);
      });

      it(
        PEER_OWNER[stack]
          ? `creates exactly one peering connection, from its VPC to the management VPC in account ${PEER_OWNER[stack]}, accepted there through the peer provider, tagged`
          : "creates exactly one peering connection, from its VPC to the management VPC, auto-accepted (same account and region), tagged",
        () => {
          const pcx = ofType(ev, T.pcx);
          expect(pcx).to.have.length(1);
          expect(pcx[0].name).to.equal(`${stack}-shared-connection`);
          const owner = PEER_OWNER[stack];
          expect(pcx[0].inputs).to.deep.equal({
            vpcId: ofType(ev, T.vpc)[0].id,
            peerVpcId: so.vpcId,
            autoAccept: owner === undefined,
            ...(owner ? { peerOwnerId: owner } : {}),
            tags: { Name: `${stack}-shared`, Side: "requester" },
          });
          if (owner) {
            expect(ofType(ev, T.accepter).map((a) => [a.name, a.inputs.vpcPeeringConnectionId, a.inputs.autoAccept])).to.deep.equal([[`${stack}-shared-accepter`, pcx[0].id, true]]);
            const peerProvider = ofType(ev, T.provider).find((p) => p.name === `${stack}-shared-peer`)!;
            expect(JSON.parse(peerProvider.inputs.allowedAccountIds as string)).to.deep.equal([owner]);
          } else {
            expect(pcx[0].outputs.acceptStatus).to.equal("active");
            expect(ofType(ev, T.accepter)).to.have.length(0);
          }
          expect(ofType(ev, T.options)).to.have.length(0);
        },
      );

      it(`routes exactly the management CIDR from its ${AZS[stack]} private tables and its isolated table, and from no public table`, () => {
        const mine = new Set([...tableIds(ev, stack, "public"), ...tableIds(ev, stack, "private"), ...tableIds(ev, stack, "isolated")]);
        const routes = peeringRoutes(ev).filter((r) => mine.has(str(r, "routeTableId")));
        expect(routes.map((r) => [r.name, r.inputs.routeTableId, r.inputs.destinationCidrBlock, r.inputs.vpcPeeringConnectionId])).to.deep.equal([
          ...tableIds(ev, stack, "private").map((id, i) => [`${stack}-shared-${stack}-private-${i + 1}`, id, CIDR.shared, pcxId]),
          [`${stack}-shared-${stack}-isolated-1`, tableIds(ev, stack, "isolated")[0], CIDR.shared, pcxId],
        ]);
      });

      it("routes exactly its own CIDR from each of the management VPC's private tables (ids from shared's outputs)", () => {
        const routes = peeringRoutes(ev).filter((r) => (so.privateRouteTableIds as string[]).includes(str(r, "routeTableId")));
        expect(routes.map((r) => [r.name, r.inputs.routeTableId, r.inputs.destinationCidrBlock, r.inputs.vpcPeeringConnectionId])).to.deep.equal(
          (so.privateRouteTableIds as string[]).map((id, i) => [`${stack}-shared-shared-private-${i + 1}`, id, CIDR[stack], pcxId]),
        );
        const other = new Set([...(so.publicRouteTableIds as string[]), ...(so.isolatedRouteTableIds as string[])]);
        expect(ofType(ev, T.route).filter((r) => other.has(str(r, "routeTableId")))).to.have.length(0);
      });

      it("routes nothing through the peering but the two exact VPC CIDRs, and nothing at all to another environment", () => {
        const routes = peeringRoutes(ev);
        expect(routes).to.have.length(AZS[stack] + 1 + 2);
        for (const r of routes) expect([CIDR.shared, CIDR[stack]]).to.include(r.inputs.destinationCidrBlock);
        for (const other of ENVIRONMENTS.filter((s) => s !== stack)) {
          for (const r of ofType(ev, T.route)) {
            const dest = str(r, "destinationCidrBlock");
            if (dest !== "0.0.0.0/0") expect(cidrsOverlap(dest, CIDR[other]), `${r.name} → ${dest}`).to.equal(false);
          }
        }
      });

      it("its own NACLs admit the management VPC: database port in the isolated tier, service ports, replies and 443 out in the private tier", () => {
        const { servicePorts, databasePort } = managementPorts(ev, stack);
        const byAcl = (tier: string) =>
          ofType(ev, T.aclRule)
            .filter((r) => r.inputs.networkAclId === aclId(ev, stack, tier) && r.inputs.cidrBlock === CIDR.shared)
            .map(ruleRow)
            .sort();
        expect(byAcl("public")).to.deep.equal([]);
        expect(byAcl("private")).to.deep.equal(
          [
            ...servicePorts.map((p, j) => `in ${300 + j} ${CIDR.shared} ${p} ${p}`),
            `in 400 ${CIDR.shared} 1024 65535`,
            `out 300 ${CIDR.shared} 1024 65535`,
            `out 400 ${CIDR.shared} 443 443`,
          ].sort(),
        );
        expect(byAcl("isolated")).to.deep.equal([`in 300 ${CIDR.shared} ${databasePort} ${databasePort}`, `out 300 ${CIDR.shared} 1024 65535`]);
      });

      it(`writes its slot (${SLOT[stack]}: rules ${slotRange(SLOT[stack]).first}–${slotRange(SLOT[stack]).last}) into the management VPC's private NACL only, matching its own entries`, () => {
        const acls = so.networkAclIds as Record<string, string>;
        const first = slotRange(SLOT[stack]).first;
        const { servicePorts, databasePort } = managementPorts(ev, stack);
        const on = (id: string) => ofType(ev, T.aclRule).filter((r) => r.inputs.networkAclId === id);
        expect(on(acls.public)).to.have.length(0);
        expect(on(acls.isolated)).to.have.length(0);
        expect(on(acls.private).map(ruleRow)).to.deep.equal([
          `out ${first} ${env.tierCidrs.isolated} ${databasePort} ${databasePort}`,
          `out ${first + 2} ${env.tierCidrs.private} 1024 65535`,
          ...servicePorts.map((p, i) => `out ${first + 3 + i} ${env.tierCidrs.private} ${p} ${p}`),
          `in ${first} ${env.tierCidrs.isolated} 1024 65535`,
          `in ${first + 1} ${env.tierCidrs.private} 1024 65535`,
          `in ${first + 2} ${env.tierCidrs.private} 443 443`,
        ]);
        for (const r of on(acls.private)) expect(r.inputs).to.include({ protocol: "tcp", ruleAction: "allow" });
      });

      it("opens the management bastion's security group to its database port, by its isolated tier's CIDR only", () => {
        const rules = ofType(ev, T.egress).filter((r) => r.inputs.securityGroupId === so.bastionSecurityGroupId);
        const { databasePort } = managementPorts(ev, stack);
        expect(rules.map((r) => [r.name, r.inputs.ipProtocol, r.inputs.fromPort, r.inputs.toPort, r.inputs.cidrIpv4])).to.deep.equal([
          [`${stack}-shared-bastion-database`, "tcp", databasePort, databasePort, env.tierCidrs.isolated],
        ]);
      });

      it("parents every peering child to the ManagementPeering component and orders routes after the connection", () => {
        const component = ofType(ev, T.component);
        expect(component.map((c) => c.name)).to.deep.equal([`${stack}-shared`]);
        const children = ev.resources.filter((r) => r.parent === component[0].urn);
        const { servicePorts } = managementPorts(ev, stack);
        expect(children.map((r) => r.type).sort()).to.deep.equal(
          [
            T.pcx,
            ...Array(AZS[stack] + 1 + 2).fill(T.route),
            ...Array(2 + 5 + servicePorts.length).fill(T.aclRule),
            T.egress,
            // Across accounts: the accepter, and the provider that writes the management side.
            ...(PEER_OWNER[stack] ? [T.accepter, T.provider] : []),
          ].sort(),
        );
        const pcxUrn = ofType(ev, T.pcx)[0].urn;
        for (const r of peeringRoutes(ev)) expect(r.dependencies, r.name).to.include(pcxUrn);
      });

      it("exports the connection, the management CIDR and the bastion group reference for the database tier", () => {
        // Across accounts AWS references the peer's group as `<account>/<group id>`.
        const reference = PEER_OWNER[stack] ? `${PEER_OWNER[stack]}/${so.bastionSecurityGroupId}` : so.bastionSecurityGroupId;
        expect(ev.outputs).to.include({ peeringConnectionId: pcxId, managementCidr: CIDR.shared, managementBastionSecurityGroupId: reference });
      });
    });
  }

  it("the environments write disjoint rule numbers into the shared NACLs", () => {
    const keys = ENVIRONMENTS.flatMap((s) =>
      ofType(evs.get(s)!, T.aclRule)
        .filter((r) => Object.values(so.networkAclIds as object).includes(r.inputs.networkAclId))
        .map((r) => `${str(r, "networkAclId")}/${r.inputs.egress}/${r.inputs.ruleNumber}`),
    );
    expect(keys).to.have.length(ENVIRONMENTS.reduce((n, s) => n + 5 + managementPorts(evs.get(s)!, s).servicePorts.length, 0));
    expect(new Set(keys).size).to.equal(keys.length);
  });

  it("every NACL rule, the environment's own and its slots in the shared NACLs, is replaced delete-first (AWS refuses a second entry with the same number: NetworkAclEntryAlreadyExists)", () => {
    for (const s of ENVIRONMENTS) {
      const rules = ofType(evs.get(s)!, T.aclRule);
      expect(rules.length, s).to.be.greaterThan(0);
      expect(rules.filter((r) => r.deleteBeforeReplace !== true).map((r) => r.name), s).to.deep.equal([]);
    }
  });

  it("each management route table routes to each environment exactly once, and no environment routes to another", () => {
    for (const id of so.privateRouteTableIds as string[]) {
      const dests = ENVIRONMENTS.flatMap((s) => peeringRoutes(evs.get(s)!).filter((r) => r.inputs.routeTableId === id).map((r) => str(r, "destinationCidrBlock")));
      expect(dests).to.deep.equal(ENVIRONMENTS.map((s) => CIDR[s]));
    }
    const pcxs = ENVIRONMENTS.map((s) => ofType(evs.get(s)!, T.pcx)[0].inputs.peerVpcId);
    expect(pcxs).to.deep.equal(ENVIRONMENTS.map(() => so.vpcId));
  });

  describe("when the shared stack's outputs no longer fit", () => {
    it("fails when a required output is missing, naming every missing output", async () => {
      const { privateRouteTableIds: _p, networkAclIds: _n, ...rest } = so;
      void _p;
      void _n;
      let error: unknown;
      try {
        await evaluateStack("dev", { [referenceOf("dev")]: rest });
      } catch (e) {
        error = e;
      }
      expect((error as Error).message).to.equal(
        'The management stack "organization/platform/shared" does not provide the outputs peering needs; deploy it (first, see STACK_ORDER in infra/stacks.ts) from the same commit. Nothing else was created:\n' +
          " - Required output 'privateRouteTableIds' does not exist on stack 'organization/platform/shared'.\n" +
          " - Required output 'networkAclIds' does not exist on stack 'organization/platform/shared'.",
      );
    });

    it("fails when an output changed shape", async () => {
      let error: unknown;
      try {
        await evaluateStack("dev", { [referenceOf("dev")]: { ...so, networkAclIds: Object.values(so.networkAclIds as object) } });
      } catch (e) {
        error = e;
      }
      expect((error as Error).message.split("\n").slice(1)).to.deep.equal([
        ` - output networkAclIds: Invalid input: expected object, received array; received ${JSON.stringify(Object.values(so.networkAclIds as object))}`,
      ]);
    });

    it("fails before creating anything but the StackReference when the real management CIDR differs from the config's", async () => {
      const config = engineConfigFor("dev");
      const recorder = startRecording({ stack: "dev", region: "ap-northeast-2", stackOutputs: { [referenceOf("dev")]: { ...so, vpcCidr: "10.1.0.0/16" } } });
      pulumi.runtime.setAllConfig(config, []);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const program = require("../../../infra/index") as () => Promise<unknown>;
      let error: unknown;
      try {
        await program();
      } catch (e) {
        error = e;
      }
      await drainRegistrations();
      expect(error).to.be.instanceOf(ConfigError);
      expect((error as ConfigError).message).to.equal(
        'Invalid configuration for stack "dev" (environments/Pulumi.dev.yaml), 1 problem; nothing was created:\n' +
          ' - platform:peering.peers[0].cidr: received "10.0.0.0/16"; allowed: the management VPC\'s real CIDR 10.1.0.0/16 (output vpcCidr of organization/platform/shared); fix: set platform:peering.peers[0].cidr to "10.1.0.0/16" in environments/Pulumi.dev.yaml, or redeploy the management stack if its CIDR is the stale one',
      );
      expect(recorder.resources().map((r) => r.type)).to.deep.equal([T.ref]);
    });

    it("fails when the management stack is in another region than the config says", async () => {
      let error: unknown;
      try {
        await evaluateStack("dev", { [referenceOf("dev")]: { ...so, region: "ap-northeast-1" } });
      } catch (e) {
        error = e;
      }
      expect((error as ConfigError).problems).to.deep.equal([
        {
          key: "platform:peering.peers[0].accepter.region",
          received: undefined,
          allowed: "the management stack's region ap-northeast-1 (output region of organization/platform/shared)",
          fix: 'set platform:peering.peers[0].accepter.region to "ap-northeast-1" in environments/Pulumi.dev.yaml (cross-region peering)',
        },
      ]);
    });
  });

  describe("other connection scenarios (dev's file with one peer setting changed)", () => {
    const withPeer = (extra: Record<string, unknown>, peering: Record<string, unknown> = {}) => (config: Record<string, string>) => {
      const p = JSON.parse(config["platform:peering"]) as { peers: Record<string, unknown>[] };
      return { ...config, "platform:peering": JSON.stringify({ ...p, ...peering, peers: [{ ...p.peers[0], ...extra }] }) };
    };
    const CROSS_ACCOUNT = { ownerId: "210987654321", roleArn: "arn:aws:iam::210987654321:role/platform-peering-accepter" };

    it("cross-account: a requester with peerOwnerId, an accepter and every peer-side resource through a provider assuming the role", async () => {
      const ev = await evaluateStack("dev", { [referenceOf("dev")]: so }, withPeer({ accepter: CROSS_ACCOUNT }));
      const peerProvider = ofType(ev, T.provider).find((p) => p.name === "dev-shared-peer")!;
      expect(peerProvider.inputs).to.deep.include({ region: "ap-northeast-2" });
      expect(JSON.parse(peerProvider.inputs.assumeRoles as string)).to.deep.equal([
        { roleArn: CROSS_ACCOUNT.roleArn, sessionName: "platform-dev-peering" },
      ]);
      const pcx = ofType(ev, T.pcx)[0];
      expect(pcx.inputs).to.deep.include({ autoAccept: false, peerOwnerId: "210987654321" });
      expect(pcx.inputs).to.not.have.property("peerRegion");
      const accepter = ofType(ev, T.accepter);
      expect(accepter.map((a) => [a.name, a.inputs.vpcPeeringConnectionId, a.inputs.autoAccept])).to.deep.equal([["dev-shared-accepter", pcx.id, true]]);
      const viaPeer = `${peerProvider.urn}::${peerProvider.id}`;
      expect(accepter[0].provider).to.equal(viaPeer);
      const acls = Object.values(so.networkAclIds as object);
      const peerSide = [
        ...peeringRoutes(ev).filter((r) => (so.privateRouteTableIds as string[]).includes(str(r, "routeTableId"))),
        ...ofType(ev, T.aclRule).filter((r) => acls.includes(r.inputs.networkAclId)),
        ...ofType(ev, T.egress).filter((r) => r.inputs.securityGroupId === so.bastionSecurityGroupId),
      ];
      expect(peerSide).to.have.length(2 + 5 + managementPorts(ev, "dev").servicePorts.length + 1);
      for (const r of peerSide) expect(r.provider, r.name).to.equal(viaPeer);
      for (const r of peeringRoutes(ev)) expect(r.dependencies, r.name).to.include(accepter[0].urn);
      expect(ev.outputs.managementBastionSecurityGroupId).to.equal(`210987654321/${so.bastionSecurityGroupId}`);
      // The bastion's role is in the other account: no IAM grant of the master secret is written to it.
      expect(ofType(ev, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.name === "dev-management-bastion-db-secret")).to.deep.equal([]);
    });

    it("prod's peer provider assumes the accepter role, and the read-only previewRoleArn only with PLATFORM_READ_ONLY_PREVIEW=1", async function () {
      this.timeout(120_000);
      const assumed = (ev: Evaluation) => {
        const provider = ofType(ev, T.provider).find((p) => p.name === "prod-shared-peer")!;
        expect(JSON.parse(provider.inputs.allowedAccountIds as string)).to.deep.equal(["111111111111"]);
        return JSON.parse(provider.inputs.assumeRoles as string) as unknown;
      };
      expect(assumed(evs.get("prod")!)).to.deep.equal([{ roleArn: "arn:aws:iam::111111111111:role/platform-peering-accepter", sessionName: "platform-prod-peering" }]);
      const before = process.env.PLATFORM_READ_ONLY_PREVIEW;
      try {
        process.env.PLATFORM_READ_ONLY_PREVIEW = "1";
        const preview = await evaluateStack("prod", { [referenceOf("prod")]: so });
        expect(assumed(preview)).to.deep.equal([{ roleArn: "arn:aws:iam::111111111111:role/platform-peering-accepter-readonly", sessionName: "platform-prod-peering" }]);
        // Only "1" opts in: anything else is an ordinary run (pulumi up and its own preview).
        process.env.PLATFORM_READ_ONLY_PREVIEW = "true";
        const other = await evaluateStack("prod", { [referenceOf("prod")]: so });
        expect(assumed(other)).to.deep.equal([{ roleArn: "arn:aws:iam::111111111111:role/platform-peering-accepter", sessionName: "platform-prod-peering" }]);
      } finally {
        if (before === undefined) delete process.env.PLATFORM_READ_ONLY_PREVIEW;
        else process.env.PLATFORM_READ_ONLY_PREVIEW = before;
      }
    });

    it("cross-region (same account): peerRegion, an accepter in that region, and no security group reference (CIDR fallback)", async () => {
      const outputs = { ...so, region: "ap-northeast-1" };
      const ev = await evaluateStack("dev", { [referenceOf("dev")]: outputs }, withPeer({ accepter: { region: "ap-northeast-1" } }));
      expect(ofType(ev, T.pcx)[0].inputs).to.deep.include({ autoAccept: false, peerRegion: "ap-northeast-1" });
      expect(ofType(ev, T.pcx)[0].inputs).to.not.have.property("peerOwnerId");
      // Same account: the management bastion's role may still read this database's master secret.
      expect(ofType(ev, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.name === "dev-management-bastion-db-secret").map((p) => p.inputs.role)).to.deep.equal([so.bastionRoleName]);
      expect(ofType(ev, T.provider).find((p) => p.name === "dev-shared-peer")!.inputs).to.deep.include({ region: "ap-northeast-1" });
      expect(ofType(ev, T.accepter)).to.have.length(1);
      expect(ev.outputs.managementBastionSecurityGroupId).to.equal(undefined);
      expect(ev.outputs.managementCidr).to.equal(CIDR.shared);
      // The database falls back to the management VPC's CIDR, on its port only; no reference rule.
      const dbSg = ofType(ev, "aws:ec2/securityGroup:SecurityGroup").find((g) => g.name === "dev-db-sg")!;
      const dbIngress = ofType(ev, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.inputs.securityGroupId === dbSg.id);
      const fromManagement = dbIngress.filter((r) => r.name.startsWith("dev-db-from-management"));
      expect(fromManagement.map((r) => [r.name, r.inputs.cidrIpv4, r.inputs.fromPort, r.inputs.toPort, r.inputs.referencedSecurityGroupId])).to.deep.equal([
        ["dev-db-from-management-cidr", CIDR.shared, 5432, 5432, undefined],
      ]);
    });

    it("same region: the database admits the management bastion by security-group reference and no CIDR", () => {
      const ev = evs.get("dev")!;
      const dbSg = ofType(ev, "aws:ec2/securityGroup:SecurityGroup").find((g) => g.name === "dev-db-sg")!;
      const dbIngress = ofType(ev, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.inputs.securityGroupId === dbSg.id);
      expect(dbIngress.filter((r) => r.inputs.cidrIpv4 !== undefined)).to.deep.equal([]);
      expect(dbIngress.find((r) => r.name === "dev-db-from-management-bastion")!.inputs.referencedSecurityGroupId).to.equal(so.bastionSecurityGroupId);
    });

    it("with remote DNS resolution, sets both sides' option on the active connection (one resource in one account and region)", async () => {
      const ev = await evaluateStack("dev", { [referenceOf("dev")]: so }, withPeer({}, { allowRemoteVpcDnsResolution: true }));
      const options = ofType(ev, T.options);
      expect(options.map((o) => [o.name, o.inputs])).to.deep.equal([
        [
          "dev-shared-dns",
          { vpcPeeringConnectionId: ofType(ev, T.pcx)[0].id, requester: { allowRemoteVpcDnsResolution: true }, accepter: { allowRemoteVpcDnsResolution: true } },
        ],
      ]);
      expect(options[0].dependencies).to.include(ofType(ev, T.pcx)[0].urn);
    });

    it("under preview, still plans every route: the shared stack's table count is a plain value", async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { evaluate } = require("../../../cli/evaluate/harness") as typeof import("../../../cli/evaluate/harness");
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const program = require("../../../infra/index") as () => Promise<Record<string, unknown>>;
      const ev = await evaluate(program, { stack: "dev", region: "ap-northeast-2", config: engineConfigFor("dev"), stackOutputs: { [referenceOf("dev")]: so }, preview: true });
      expect(peeringRoutes(ev)).to.have.length(2 + 1 + 2);
    });

    it("on Pulumi Cloud, reads the shared stack of its own organization: platform/shared becomes <org>/platform/shared", async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { evaluate } = require("../../../cli/evaluate/harness") as typeof import("../../../cli/evaluate/harness");
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const program = require("../../../infra/index") as () => Promise<Record<string, unknown>>;
      const ev = await evaluate(program, { stack: "dev", region: "ap-northeast-2", config: engineConfigFor("dev"), organization: "acme", stackOutputs: { "acme/platform/shared": so } });
      expect(ofType(ev, T.ref).map((r) => [r.name, r.inputs.name])).to.deep.equal([["acme/platform/shared", "acme/platform/shared"]]);
      expect(ofType(ev, T.pcx)).to.have.length(1);
    });
  });
});
