import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { command } from "../../cli/commands/reach";
import { captureOutput } from "../support/capture";
import { shippedArchitecture } from "../../cli/reach/architecture";
import { architectureFromPlan } from "../../cli/reach/from-plan";
import { IntentResult, checkIntents } from "../../cli/reach/intents";
import { ReachResource, buildModel, parseRange } from "../../cli/reach/model";
import { evaluateFlow, lookupRoute } from "../../policies/lib/reach/evaluate";
import { documentOf, find, mutate, shippedResources } from "./shipped";

/**
 * The office VPN under `platform reach`: the office reaches the management bastion through the
 * virtual private gateway, nothing else gets through the tunnel, and no environment is reachable
 * from the office (no edge-to-edge routing through a VPN across a peering).
 */

const run = (stack: string, resources: readonly ReachResource[]): IntentResult[] => checkIntents(buildModel(resources), shippedArchitecture(stack));
const officeIntents = (results: readonly IntentResult[]) => results.filter((r) => /office|vpn\//.test(r.id));
const OFFICE = "192.168.0.0/20";

describe("platform reach: the office VPN", function () {
  this.timeout(300000);
  let shared: ReachResource[];
  let dev: ReachResource[];
  before(async () => {
    shared = await shippedResources("shared");
    dev = await shippedResources("dev");
  });

  it("shared: the office reaches the bastion on 22 from its range in both AZs; any other address through the tunnel is dropped by the private ACL", () => {
    const got = officeIntents(run("shared", shared));
    expect(got.map((r) => [r.id, r.expect, r.result])).to.deep.equal([
      [`allow:office/office>bastion:22:${OFFICE}>ap-northeast-2a`, "allow", "allow"],
      [`allow:office/office>bastion:22:${OFFICE}>ap-northeast-2b`, "allow", "allow"],
      ["deny:vpn/office>bastion:22:0.0.0.0/0>ap-northeast-2a", "deny", "deny"],
      ["deny:vpn/office>bastion:22:0.0.0.0/0>ap-northeast-2b", "deny", "deny"],
    ]);
    expect(got[2].blockedBy?.urn).to.equal(find(shared, "ec2/networkAcl:NetworkAcl", "shared-private").urn);
    const hops = got[0].path.map((h) => `${h.verdict} ${h.component}`);
    expect(hops[0]).to.equal("allow VPN connection shared-vpn-office");
    expect(hops[hops.length - 1]).to.equal("allow route table shared-private-1");
    expect(got[0].path[got[0].path.length - 1].detail).to.match(/^replies: 192\.168\.0\.0\/20 → vgw-[0-9a-f]{17} \(propagated\)$/);
  });

  it("dev: the office reaches neither the database nor the service: denied at the management VPC's gateway (edge-to-edge)", () => {
    const got = officeIntents(run("dev", dev));
    expect(got.map((r) => [r.id, r.result])).to.deep.equal([
      [`deny:office/office>database:5432:${OFFICE}>ap-northeast-2a`, "deny"],
      [`deny:office/office>database:5432:${OFFICE}>ap-northeast-2b`, "deny"],
      [`deny:office/office>service/hello:8080:${OFFICE}>ap-northeast-2a`, "deny"],
      [`deny:office/office>service/hello:8080:${OFFICE}>ap-northeast-2b`, "deny"],
    ]);
    for (const r of got) {
      expect(r.blockedBy?.urn).to.equal(find(dev, "ec2/vpnGateway:VpnGateway", "shared-vpn-vgw").urn);
      expect(r.blockedBy?.detail).to.match(/^virtual private gateway shared-vpn-vgw: attached to shared-vpc, not to the VPC of .*: a VPN connection does not reach a peered VPC \(no edge-to-edge routing through a VPN\)$/);
    }
  });

  it("fails without route propagation: the bastion's replies leave by the NAT's default route", () => {
    let mutated = mutate(shared, "ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation", "shared-vpn-propagate-private-1", "remove");
    mutated = mutate(mutated, "ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation", "shared-vpn-propagate-private-2", "remove");
    const broken = officeIntents(run("shared", mutated)).filter((r) => !r.holds);
    expect(broken.map((r) => r.id)).to.deep.equal([`allow:office/office>bastion:22:${OFFICE}>ap-northeast-2a`, `allow:office/office>bastion:22:${OFFICE}>ap-northeast-2b`]);
    expect(broken[0].blockedBy?.detail).to.match(/^route table shared-private-1: no route back to 192\.168\.0\.0\/20 through shared-vpn-vgw \(0\.0\.0\.0\/0 → nat-[0-9a-f]{17} wins\): propagate the gateway's routes into this table$/);
  });

  it("fails without the private ACL's office rule 500 and without the bastion's office rule", () => {
    const noAcl = officeIntents(run("shared", mutate(shared, "ec2/networkAclRule:NetworkAclRule", "shared-private-in-500", "remove"))).filter((r) => !r.holds);
    expect(noAcl).to.have.length(2);
    expect(noAcl[0].blockedBy?.detail).to.contain("inbound request from office office (192.168.0.0/20) tcp 22: ports 22 denied by rule * (implicit deny: no rule matches) of shared-private");
    const noSg = officeIntents(run("shared", mutate(shared, "vpc/securityGroupIngressRule:SecurityGroupIngressRule", "shared-bastion-office-192-168-0-0-20-22", "remove"))).filter((r) => !r.holds);
    expect(noSg).to.have.length(2);
    expect(noSg[0].blockedBy?.detail).to.contain("no ingress rule of shared-bastion-sg admits it");
  });

  it("with static routing, the gateway learns exactly the connection's static routes", () => {
    const conn = find(shared, "ec2/vpnConnection:VpnConnection", "shared-vpn-office");
    let mutated = mutate(shared, "ec2/vpnConnection:VpnConnection", "shared-vpn-office", { staticRoutesOnly: true });
    expect(officeIntents(run("shared", mutated)).filter((r) => !r.holds).map((r) => r.id)).to.deep.equal([
      `allow:office/office>bastion:22:${OFFICE}>ap-northeast-2a`,
      `allow:office/office>bastion:22:${OFFICE}>ap-northeast-2b`,
    ]);
    mutated = [...mutated, { urn: conn.urn.replace(/VpnConnection::shared-vpn-office$/, "VpnConnectionRoute::shared-vpn-office-route-192-168-0-0-20").replace("aws:ec2/vpnConnection:VpnConnection", "aws:ec2/vpnConnectionRoute:VpnConnectionRoute"), type: "aws:ec2/vpnConnectionRoute:VpnConnectionRoute", id: "r1", props: { vpnConnectionId: conn.id, destinationCidrBlock: OFFICE } }];
    expect(officeIntents(run("shared", mutated)).filter((r) => !r.holds)).to.deep.equal([]);
  });

  it("a static route beats a propagated one of the same prefix", () => {
    const m = buildModel(shared);
    const table = [...m.routeTables.values()].find((t) => t.name === "shared-private-1")!;
    const office = parseRange(OFFICE)!;
    expect(lookupRoute(m, table, { range: office }).route?.target.kind).to.equal("vgw");
    table.routes.push({ urn: "static", destination: { cidr: office }, target: { kind: "nat-gateway", id: "nat-static" } });
    expect(lookupRoute(m, table, { range: office }).route?.urn).to.equal("static");
  });

  it("an office flow to anything but a node is not modelled (unknown, never an allow)", () => {
    const m = buildModel(shared);
    const conn = [...m.vpnConnections.values()][0];
    const r = evaluateFlow(m, { from: { kind: "office", cidr: parseRange(OFFICE)!, label: "office", connectionId: conn.id }, to: { kind: "internet" }, port: 443 });
    expect(r.result).to.equal("unknown");
  });

  it("reads the offices back from the plans: the management stack's own, and an environment's view of them", () => {
    const fromShared = architectureFromPlan("shared", buildModel(shared), shared);
    expect(fromShared.offices).to.deep.equal([{ name: "office", stack: "shared", cidrs: [OFFICE], ports: [22] }]);
    expect(fromShared.bastion?.sshCidrs).to.deep.equal([]);
    const fromDev = architectureFromPlan("dev", buildModel(dev), dev);
    expect(fromDev.offices).to.deep.equal([{ name: "office", stack: "shared", cidrs: [OFFICE], ports: [22] }]);
    expect(shippedArchitecture("dev").offices).to.deep.equal(fromDev.offices);
  });

  it("query mode takes office:<name> as a source (exit 1: the flow is denied), and names the known offices when the name is wrong (exit 2)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "reach-vpn-"));
    try {
      fs.writeFileSync(path.join(dir, "dev.json"), JSON.stringify(documentOf(dev, "dev")));
      fs.writeFileSync(path.join(dir, "shared.json"), JSON.stringify(documentOf(dev, "shared")));
      const args = ["dev", "--plan", path.join(dir, "dev.json"), "--shared-plan", path.join(dir, "shared.json"), "--to", "database", "--port", "5432"];
      const ok = await captureOutput(() => command.run([...args, "--from", "office:office"]));
      expect(ok.value).to.equal(1);
      expect(ok.stdout.split("\n").filter((l) => l.startsWith("office office → "))).to.deep.equal([
        "office office → Aurora cluster platform-dev (ap-northeast-2a) tcp 5432: deny",
        "office office → Aurora cluster platform-dev (ap-northeast-2b) tcp 5432: deny",
      ]);
      const bad = await captureOutput(() => command.run([...args, "--from", "office:hq"]));
      expect(bad.value).to.equal(2);
      expect(bad.stderr).to.match(/^platform reach: no VPN connection for office "hq" in the plans \(known offices: office; pass the management stack's plan with --shared-plan\)/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
