import { expect } from "chai";
import { ConfigError, parseConfig } from "../../../infra/config";
import {
  DEFAULT_MANAGEMENT_TIERS,
  DEFAULT_MANAGEMENT_TO,
  DEFAULT_TO_MANAGEMENT,
  DEFAULT_TO_MANAGEMENT_PORTS,
  READ_ONLY_PREVIEW_ENV,
  isReadOnlyPreview,
  managementPeer,
  peerName,
  peerProviderRoleArn,
} from "../../../infra/peering/config";
import { engineConfigFor } from "../../../cli/evaluate/stack-config";
import { MANAGEMENT_STACK, STACK_ORDER } from "../../../infra/stacks";
import { problemLines } from "../config/problems";

const SHARED = { stack: "organization/platform/shared", cidr: "10.0.0.0/16", environmentClass: "management" };
const DEV = { stack: "organization/platform/dev", cidr: "10.10.0.0/16", environmentClass: "nonprod" };
const STAGING = { stack: "organization/platform/staging", cidr: "10.20.0.0/16", environmentClass: "nonprod" };
const PROD = { stack: "organization/platform/prod", cidr: "10.30.0.0/16", environmentClass: "prod" };
const OWN_CIDR: Record<string, string> = { dev: "10.10.0.0/16", staging: "10.20.0.0/16", prod: "10.30.0.0/16" };

function raw(stack: string, peering: Record<string, unknown>, cidr = OWN_CIDR[stack]): Record<string, string> {
  return {
    "aws:region": "ap-northeast-2",
    "platform:network": JSON.stringify({ cidr, azCount: 2 }),
    "platform:peering": JSON.stringify(peering),
  };
}

const nonprod = (peers: unknown[], extra: Record<string, unknown> = {}) => ({ environmentClass: "nonprod", ruleSlot: 1, peers, ...extra });
const prod = (peers: unknown[], extra: Record<string, unknown> = {}) => ({ environmentClass: "prod", ruleSlot: 3, peers, ...extra });

function problemsOf(stack: string, peering: Record<string, unknown>, cidr?: string): string[] {
  return problemLines(stack, raw(stack, peering, cidr));
}

describe("peering config: platform:peering", () => {
  for (const stack of STACK_ORDER) {
    const peered = stack !== MANAGEMENT_STACK;
    it(`with the shipped ${stack} file, ${peered ? "peers with exactly the management stack" : "has no peering section"}`, () => {
      const cfg = parseConfig(stack, "platform", engineConfigFor(stack));
      if (!peered) {
        expect(cfg.peering).to.equal(undefined);
        return;
      }
      // project/stack: the program adds the backend's organization (Pulumi Cloud's, or "organization").
      // prod runs in its own account: the management VPC (non-prod account) accepts through a role there.
      const accepter = {
        ownerId: "111111111111",
        roleArn: "arn:aws:iam::111111111111:role/platform-peering-accepter",
        previewRoleArn: "arn:aws:iam::111111111111:role/platform-peering-accepter-readonly",
      };
      expect(cfg.peering!.peers).to.deep.equal([{ ...SHARED, stack: "platform/shared", ...(stack === "prod" ? { accepter } : {}) }]);
      expect(peerName(managementPeer(cfg.peering!))).to.equal(MANAGEMENT_STACK);
      expect(cfg.peering!.environmentClass).to.equal(stack === "prod" ? "prod" : "nonprod");
    });
  }

  it("with only the required keys, applies the documented defaults", () => {
    const cfg = parseConfig("dev", "platform", raw("dev", nonprod([SHARED])));
    expect(cfg.peering).to.deep.equal({
      environmentClass: "nonprod",
      ruleSlot: 1,
      peers: [SHARED],
      managementTo: [...DEFAULT_MANAGEMENT_TO],
      toManagement: [...DEFAULT_TO_MANAGEMENT],
      managementTiers: [...DEFAULT_MANAGEMENT_TIERS],
      toManagementPorts: [...DEFAULT_TO_MANAGEMENT_PORTS],
      allowRemoteVpcDnsResolution: false,
    });
    expect(DEFAULT_MANAGEMENT_TO).to.deep.equal(["private", "isolated"]);
    expect(DEFAULT_TO_MANAGEMENT).to.deep.equal(["private"]);
    expect(DEFAULT_MANAGEMENT_TIERS).to.deep.equal(["private"]);
    expect(DEFAULT_TO_MANAGEMENT_PORTS).to.deep.equal([443]);
  });

  it("accepts a cross-account, cross-region management peer with a role in the peer account", () => {
    const peer = { ...SHARED, accepter: { ownerId: "210987654321", region: "ap-northeast-1", roleArn: "arn:aws:iam::210987654321:role/platform-peering-accepter" } };
    expect(parseConfig("dev", "platform", raw("dev", nonprod([peer]))).peering!.peers[0]).to.deep.equal(peer);
  });

  describe("the peer provider's role: previewRoleArn only in a read-only preview", () => {
    const accepter = {
      ownerId: "210987654321",
      roleArn: "arn:aws:iam::210987654321:role/platform-peering-accepter",
      previewRoleArn: "arn:aws:iam::210987654321:role/platform-peering-accepter-readonly",
    };

    it("is a read-only preview only with PLATFORM_READ_ONLY_PREVIEW=1", () => {
      expect(READ_ONLY_PREVIEW_ENV).to.equal("PLATFORM_READ_ONLY_PREVIEW");
      expect(isReadOnlyPreview({ PLATFORM_READ_ONLY_PREVIEW: "1" })).to.equal(true);
      for (const value of [undefined, "", "0", "true", "yes"]) expect(isReadOnlyPreview({ PLATFORM_READ_ONLY_PREVIEW: value }), String(value)).to.equal(false);
      expect(isReadOnlyPreview({})).to.equal(false);
    });

    it("chooses previewRoleArn only in a read-only preview, and roleArn otherwise or when no previewRoleArn is set", () => {
      expect(peerProviderRoleArn(accepter, true)).to.equal(accepter.previewRoleArn);
      expect(peerProviderRoleArn(accepter, false)).to.equal(accepter.roleArn);
      expect(peerProviderRoleArn({ ownerId: accepter.ownerId, roleArn: accepter.roleArn }, true)).to.equal(accepter.roleArn);
      expect(peerProviderRoleArn({ region: "ap-northeast-1" }, true)).to.equal(undefined);
      expect(peerProviderRoleArn(undefined, true)).to.equal(undefined);
    });

    it("accepts a previewRoleArn in the accepter's account", () => {
      const peer = { ...SHARED, accepter };
      expect(parseConfig("dev", "platform", raw("dev", nonprod([peer]))).peering!.peers[0]).to.deep.equal(peer);
    });
  });

  describe("fails, with one aggregated error", () => {
    it("fails on a previewRoleArn that is not a role ARN, is in another account than the accepter, or has no ownerId", () => {
      expect(problemsOf("dev", nonprod([{ ...SHARED, accepter: { ownerId: "210987654321", roleArn: "arn:aws:iam::210987654321:role/a", previewRoleArn: "platform-peering-accepter-readonly" } }]))).to.deep.equal([
        ` - platform:peering.peers[0].accepter.previewRoleArn: received "platform-peering-accepter-readonly"; allowed: an IAM role ARN arn:aws:iam::<account>:role/<name>; fix: correct it in environments/Pulumi.dev.yaml`,
      ]);
      expect(problemsOf("dev", nonprod([{ ...SHARED, accepter: { ownerId: "210987654321", roleArn: "arn:aws:iam::210987654321:role/a", previewRoleArn: "arn:aws:iam::111111111111:role/r" } }]))).to.deep.equal([
        ` - platform:peering.peers[0].accepter.previewRoleArn: received "arn:aws:iam::111111111111:role/r"; allowed: a read-only role in the peer account 210987654321, the account of the accepter role; fix: use a role of account 210987654321, e.g. "arn:aws:iam::210987654321:role/platform-peering-accepter-readonly"`,
      ]);
      expect(problemsOf("dev", nonprod([{ ...SHARED, accepter: { previewRoleArn: "arn:aws:iam::210987654321:role/r" } }]))).to.deep.equal([
        ` - platform:peering.peers[0].accepter.ownerId: received (not set); allowed: the peer account, 210987654321, whenever a previewRoleArn is given; fix: add platform:peering.peers[0].accepter.ownerId: "210987654321", or remove previewRoleArn for a same-account peer`,
      ]);
      // The missing ownerId is reported once, for roleArn.
      expect(problemsOf("dev", nonprod([{ ...SHARED, accepter: { roleArn: "arn:aws:iam::210987654321:role/a", previewRoleArn: "arn:aws:iam::210987654321:role/r" } }]))).to.deep.equal([
        ` - platform:peering.peers[0].accepter.ownerId: received (not set); allowed: the peer account, 210987654321, whenever a roleArn is given; fix: add platform:peering.peers[0].accepter.ownerId: "210987654321", or remove roleArn for a same-account peer`,
      ]);
      expect(problemsOf("dev", nonprod([{ ...SHARED, accepter: { ownerId: "210987654321", roleArn: "arn:aws:iam::210987654321:role/a", previewRoleArn: 7 } }]))).to.deep.equal([
        ` - platform:peering.peers[0].accepter.previewRoleArn: received 7; allowed: a string; fix: set platform:peering.peers[0].accepter.previewRoleArn to a string in environments/Pulumi.dev.yaml`,
      ]);
    });


    it("fails when the management CIDR overlaps this stack's CIDR", () => {
      expect(problemsOf("dev", nonprod([{ ...SHARED, cidr: "10.10.0.0/16" }]))).to.deep.equal([
        ` - platform:peering.peers[0].cidr: received "10.10.0.0/16"; allowed: a range disjoint from this stack's VPC 10.10.0.0/16 (platform:network.cidr): AWS refuses to peer overlapping VPCs; fix: copy the real CIDR of shared into platform:peering.peers[0].cidr, or move this stack to a free range (npx platform addresses prints the plan)`,
      ]);
    });

    it("fails when the management CIDR contains this stack's CIDR (partial overlap counts)", () => {
      expect(problemsOf("dev", nonprod([{ ...SHARED, cidr: "10.0.0.0/12" }]))).to.deep.equal([
        ` - platform:peering.peers[0].cidr: received "10.0.0.0/12"; allowed: a range disjoint from this stack's VPC 10.10.0.0/16 (platform:network.cidr): AWS refuses to peer overlapping VPCs; fix: copy the real CIDR of shared into platform:peering.peers[0].cidr, or move this stack to a free range (npx platform addresses prints the plan)`,
      ]);
    });

    it("fails when prod is peered with a non-prod environment", () => {
      expect(problemsOf("prod", prod([SHARED, STAGING]))).to.deep.equal([
        ` - platform:peering.peers[1].environmentClass: received "nonprod"; allowed: "management" only: a prod environment is never peered with a nonprod environment ("staging"); only the management VPC bridges prod and non-prod; fix: remove the peer organization/platform/staging from platform:peering.peers in environments/Pulumi.prod.yaml`,
      ]);
    });

    it("fails when a non-prod environment is peered with prod", () => {
      expect(problemsOf("dev", nonprod([SHARED, PROD]))).to.deep.equal([
        ` - platform:peering.peers[1].environmentClass: received "prod"; allowed: "management" only: a nonprod environment is never peered with a prod environment ("prod"); only the management VPC bridges prod and non-prod; fix: remove the peer organization/platform/prod from platform:peering.peers in environments/Pulumi.dev.yaml`,
      ]);
    });

    it("fails when an environment peers with itself, reported once (not also as an overlap)", () => {
      expect(problemsOf("dev", nonprod([SHARED, DEV]))).to.deep.equal([
        ` - platform:peering.peers[1].stack: received "organization/platform/dev"; allowed: another stack: "dev" may not peer with itself (AWS refuses to peer a VPC with itself); fix: remove this peer from environments/Pulumi.dev.yaml; environments peer only with the management VPC, e.g. platform/shared`,
      ]);
    });

    it("fails when two environments of the same class are peered with each other", () => {
      expect(problemsOf("dev", nonprod([SHARED, STAGING]))).to.deep.equal([
        ` - platform:peering.peers[1].environmentClass: received "nonprod"; allowed: "management" only: environments are never peered with each other ("dev" with "staging"); operators reach both through the management VPC; fix: remove the peer organization/platform/staging from platform:peering.peers in environments/Pulumi.dev.yaml`,
      ]);
    });

    it("fails without a management peer", () => {
      expect(problemsOf("staging", nonprod([{ ...DEV, environmentClass: "nonprod" }]))).to.deep.equal([
        ` - platform:peering.peers: received ["organization/platform/dev"]; allowed: exactly one peer with environmentClass "management": the management VPC every environment peers with; fix: add { stack: platform/shared, cidr: <the shared stack's platform:network.cidr>, environmentClass: management } to platform:peering.peers in environments/Pulumi.staging.yaml`,
        ` - platform:peering.peers[0].environmentClass: received "nonprod"; allowed: "management" only: environments are never peered with each other ("staging" with "dev"); operators reach both through the management VPC; fix: remove the peer organization/platform/dev from platform:peering.peers in environments/Pulumi.staging.yaml`,
      ]);
    });

    it("fails with two management peers, and with a peer listed twice", () => {
      const other = { stack: "organization/tooling/hub", cidr: "10.1.0.0/16", environmentClass: "management" };
      expect(problemsOf("dev", nonprod([SHARED, other, SHARED]))).to.deep.equal([
        ` - platform:peering.peers: received ["organization/platform/shared","organization/tooling/hub","organization/platform/shared"]; allowed: exactly one peer with environmentClass "management": the management VPC every environment peers with; fix: keep one management peer in platform:peering.peers in environments/Pulumi.dev.yaml`,
        ` - platform:peering.peers[2].stack: received "organization/platform/shared"; allowed: each peer stack listed once; fix: remove the second organization/platform/shared from environments/Pulumi.dev.yaml`,
      ]);
    });

    it("fails when two peers overlap each other", () => {
      const other = { stack: "organization/tooling/hub", cidr: "10.0.128.0/17", environmentClass: "management" };
      expect(problemsOf("dev", nonprod([SHARED, other]))).to.include(
        ` - platform:peering.peers[1].cidr: received "10.0.128.0/17"; allowed: a range disjoint from the other peer organization/platform/shared (10.0.0.0/16): one route table cannot send one address to two peering connections; fix: correct one of the two peer CIDRs`,
      );
    });

    it("fails on tiers the NACL layout cannot serve, and on an empty peering", () => {
      expect(problemsOf("dev", nonprod([SHARED], { managementTo: ["public"], toManagement: ["isolated"], managementTiers: ["isolated"] }))).to.deep.equal([
        ` - platform:peering.managementTo[0]: received "public"; allowed: "private" or "isolated": the environment's NACLs admit the management VPC only there (rules 300–399); public endpoints are reached through the load balancer; fix: remove "public" from platform:peering.managementTo in environments/Pulumi.dev.yaml`,
        ` - platform:peering.toManagement[0]: received "isolated"; allowed: "public" or "private": the isolated tier has no route beyond its VPC by design; fix: remove "isolated" from platform:peering.toManagement in environments/Pulumi.dev.yaml`,
        ` - platform:peering.managementTiers[0]: received "isolated"; allowed: "public" or "private": operators and tooling of the management VPC run there; its isolated tier gets no peering route; fix: remove "isolated" from platform:peering.managementTiers in environments/Pulumi.dev.yaml`,
      ]);
      expect(problemsOf("dev", nonprod([SHARED], { managementTo: [], toManagement: [], managementTiers: [] }))).to.deep.equal([
        ` - platform:peering.managementTo: received []; allowed: at least one tier in managementTo or toManagement (otherwise the peering carries nothing); fix: set platform:peering.managementTo to ["private", "isolated"], or remove platform:peering from environments/Pulumi.dev.yaml`,
        ` - platform:peering.managementTiers: received []; allowed: at least one management tier (where the bastion and tooling run); fix: set platform:peering.managementTiers to ["private"] in environments/Pulumi.dev.yaml`,
      ]);
    });

    it("fails on duplicate tiers and ports", () => {
      expect(problemsOf("dev", nonprod([SHARED], { managementTo: ["private", "private"], toManagementPorts: [443, 443] }))).to.deep.equal([
        ` - platform:peering.managementTo: received ["private","private"]; allowed: each tier at most once; fix: remove the duplicate private`,
        ` - platform:peering.toManagementPorts: received [443,443]; allowed: each port at most once; fix: remove the duplicate 443`,
      ]);
    });

    it("fails on an accepter in another account without a role there, or with a role of a third account", () => {
      expect(problemsOf("dev", nonprod([{ ...SHARED, accepter: { ownerId: "210987654321" } }]))).to.deep.equal([
        ` - platform:peering.peers[0].accepter.roleArn: received (not set); allowed: the ARN of a role in account 210987654321 that may accept peering connections and edit the peer's routes, NACLs and security groups; fix: add platform:peering.peers[0].accepter.roleArn, e.g. "arn:aws:iam::210987654321:role/platform-peering-accepter"`,
      ]);
      expect(
        problemsOf("dev", nonprod([{ ...SHARED, accepter: { ownerId: "210987654321", roleArn: "arn:aws:iam::111111111111:role/x", region: "tokyo" } }])),
      ).to.deep.equal([
        ` - platform:peering.peers[0].accepter.region: received "tokyo"; allowed: an AWS region name such as ap-northeast-1; fix: correct it in environments/Pulumi.dev.yaml`,
        ` - platform:peering.peers[0].accepter.roleArn: received "arn:aws:iam::111111111111:role/x"; allowed: a role in the peer account 210987654321; fix: use a role of account 210987654321, or correct platform:peering.peers[0].accepter.ownerId`,
      ]);
    });

    it("fails on shape errors: a slot outside 0–9, a stack that is not [org/]project/stack, an unknown class", () => {
      expect(problemsOf("dev", { environmentClass: "staging", ruleSlot: 10, peers: [{ ...SHARED, stack: "shared" }] })).to.deep.equal([
        ` - platform:peering.environmentClass: received "staging"; allowed: one of "prod", "nonprod"; fix: set platform:peering.environmentClass to one of "prod", "nonprod" in environments/Pulumi.dev.yaml`,
        ` - platform:peering.ruleSlot: received 10; allowed: a number <= 9; fix: change platform:peering.ruleSlot in environments/Pulumi.dev.yaml to a number <= 9`,
        ` - platform:peering.peers[0].stack: received "shared"; allowed: a stack name project/stack (the backend's organization is added at deploy time), or organization/project/stack, e.g. platform/shared; fix: write the peer stack as project/stack, e.g. platform/shared`,
      ]);
    });

    it("fails on a misspelt key, suggesting the right one", () => {
      expect(problemsOf("dev", { ...nonprod([SHARED]), ruleslot: 1, ruleSlot: undefined })).to.deep.equal([
        ` - platform:peering.ruleSlot: received (not set); allowed: a number (this key is required); fix: add platform:peering.ruleSlot to environments/Pulumi.dev.yaml`,
        ` - platform:peering.ruleslot: received 1; allowed: the known keys environmentClass, ruleSlot, peers, managementTo, toManagement, managementTiers, toManagementPorts, allowRemoteVpcDnsResolution; fix: rename it to "ruleSlot" (a typo?) in environments/Pulumi.dev.yaml`,
      ]);
    });

    it("reports every rule violation of a stack file at once, in one ConfigError", () => {
      let error: ConfigError | undefined;
      try {
        parseConfig("prod", "platform", raw("prod", prod([{ ...SHARED, cidr: "10.30.0.0/16" }, DEV, PROD])));
      } catch (e) {
        error = e as ConfigError;
      }
      expect(error).to.be.instanceOf(ConfigError);
      expect(error!.problems.map((p) => p.key)).to.deep.equal([
        "platform:peering.peers[1].environmentClass",
        "platform:peering.peers[2].stack",
        "platform:peering.peers[0].cidr",
      ]);
      expect(error!.message.split("\n")[0]).to.equal('Invalid configuration for stack "prod" (environments/Pulumi.prod.yaml), 3 problems; nothing was created:');
    });
  });
});
