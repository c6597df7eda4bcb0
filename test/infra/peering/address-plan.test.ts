import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { addressPlanOf, command } from "../../../cli/commands/addresses";
import { REPO_ROOT, listStackFiles } from "../../../cli/evaluate/stack-config";
import { parseCidr } from "../../../infra/network/cidr";
import { addressingFromConfig, checkAddressPlan, renderAddressPlan, suggestFreeRange } from "../../../infra/peering/address-plan";
import { STACK_ORDER } from "../../../infra/stacks";
import { captureOutput } from "../../support/capture";

const SHARED_PEER = { stack: "organization/platform/shared", cidr: "10.0.0.0/16", environmentClass: "management" };

/** A copy of this repository's Pulumi.yaml and stack files in a temporary folder, plus extra stack files. */
function repoWith(extra: Record<string, Record<string, unknown>>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "platform-addresses-"));
  fs.mkdirSync(path.join(root, "environments"));
  fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
  for (const stack of listStackFiles(REPO_ROOT)) {
    fs.copyFileSync(path.join(REPO_ROOT, "environments", `Pulumi.${stack}.yaml`), path.join(root, "environments", `Pulumi.${stack}.yaml`));
  }
  for (const [stack, config] of Object.entries(extra)) {
    fs.writeFileSync(path.join(root, "environments", `Pulumi.${stack}.yaml`), stringify({ config }));
  }
  return root;
}

const envFile = (cidr: string, peering?: Record<string, unknown>): Record<string, unknown> => ({
  "aws:region": "ap-northeast-2",
  "platform:network": { cidr, azCount: 2 },
  ...(peering ? { "platform:peering": peering } : {}),
});
const peeredEnv = (cidr: string, slot: number, peers: unknown[] = [SHARED_PEER]) => envFile(cidr, { environmentClass: "nonprod", ruleSlot: slot, peers });

async function runCommand(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { value: code, stdout, stderr } = await captureOutput(() => command.run(args));
  return { code, stdout, stderr };
}

describe("address plan across every stack file", () => {
  const roots: string[] = [];
  const tmp = (extra: Record<string, Record<string, unknown>>) => {
    const root = repoWith(extra);
    roots.push(root);
    return root;
  };
  after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

  describe("this repository's environments/", () => {
    it("has no overlapping VPC CIDRs, unique NACL slots and peers that agree with their files (a new overlapping file fails here)", () => {
      const { findings } = addressPlanOf(REPO_ROOT);
      expect(findings.map((f) => f.message)).to.deep.equal([]);
    });

    it("reads every shipped stack, in deployment order, with its range and peering", () => {
      const { stacks } = addressPlanOf(REPO_ROOT);
      expect(stacks.map((s) => [s.stack, s.cidr, s.peering?.environmentClass, s.peering?.ruleSlot, s.peering?.peers.map((p) => p.stack)])).to.deep.equal([
        ["shared", "10.0.0.0/16", undefined, undefined, undefined],
        ["dev", "10.10.0.0/16", "nonprod", 1, ["platform/shared"]],
        ["staging", "10.20.0.0/16", "nonprod", 2, ["platform/shared"]],
        ["prod", "10.30.0.0/16", "prod", 3, ["platform/shared"]],
      ]);
      expect(stacks.map((s) => s.stack).slice(0, STACK_ORDER.length)).to.deep.equal([...STACK_ORDER]);
    });

    it("`platform addresses` prints the plan and exits 0", async () => {
      const { code, stdout, stderr } = await runCommand([]);
      expect(code).to.equal(0);
      expect(stderr).to.equal("");
      expect(stdout).to.equal(
        [
          "Address plan of 4 stacks (environments/Pulumi.*.yaml)",
          "",
          "stack    class       vpc           private       public          isolated        peers",
          "shared   management  10.0.0.0/16   10.0.0.0/17   10.0.128.0/19   10.0.160.0/19   -",
          "dev      nonprod     10.10.0.0/16  10.10.0.0/17  10.10.128.0/19  10.10.160.0/19  shared (slot 1: rules 410-419)",
          "staging  nonprod     10.20.0.0/16  10.20.0.0/17  10.20.128.0/19  10.20.160.0/19  shared (slot 2: rules 420-429)",
          "prod     prod        10.30.0.0/16  10.30.0.0/17  10.30.128.0/19  10.30.160.0/19  shared (slot 3: rules 430-439)",
          "",
          "OK: no overlapping VPC CIDRs; NACL rule slots unique; peers agree with their stack files.",
          "",
        ].join("\n"),
      );
    });
  });

  describe("with an added stack file", () => {
    it("fails on a new environment whose range overlaps dev's, naming both stacks and both ranges", () => {
      const { findings } = addressPlanOf(tmp({ qa: peeredEnv("10.10.128.0/17", 4) }));
      expect(findings).to.deep.equal([
        {
          kind: "overlap",
          stacks: ["qa", "dev"],
          message:
            'VPC CIDR overlap: stack "qa" (environments/Pulumi.qa.yaml) has 10.10.128.0/17 and stack "dev" (environments/Pulumi.dev.yaml) has 10.10.0.0/16; ' +
            'both are peered with the management VPC "shared", whose route tables cannot send one address to two peering connections. ' +
            'Fix: give "qa" a range no other stack uses, e.g. 10.1.0.0/17 (platform:network.cidr).',
        },
      ]);
    });

    it("`platform addresses --root` exits 1 and prints the finding on stderr", async () => {
      const root = tmp({ qa: peeredEnv("10.10.128.0/17", 4) });
      const { code, stdout, stderr } = await runCommand(["--root", root]);
      expect(code).to.equal(1);
      expect(stdout).to.include("qa       nonprod     10.10.128.0/17");
      expect(stderr).to.equal(
        "1 finding:\n" +
          ' - VPC CIDR overlap: stack "qa" (environments/Pulumi.qa.yaml) has 10.10.128.0/17 and stack "dev" (environments/Pulumi.dev.yaml) has 10.10.0.0/16; both are peered with the management VPC "shared", whose route tables cannot send one address to two peering connections. Fix: give "qa" a range no other stack uses, e.g. 10.1.0.0/17 (platform:network.cidr).\n',
      );
    });

    it("fails on an environment that overlaps the management VPC it peers with", () => {
      const { findings } = addressPlanOf(tmp({ qa: peeredEnv("10.0.0.0/20", 4) }));
      expect(findings.map((f) => f.message)).to.deep.equal([
        'VPC CIDR overlap: stack "qa" (environments/Pulumi.qa.yaml) has 10.0.0.0/20 and stack "shared" (environments/Pulumi.shared.yaml) has 10.0.0.0/16; they are peered, and AWS refuses to peer overlapping VPCs. Fix: give "qa" a range no other stack uses, e.g. 10.1.0.0/20 (platform:network.cidr).',
      ]);
    });

    it("fails on an unpeered stack that overlaps another: it could be peered", () => {
      const { findings } = addressPlanOf(tmp({ sandbox: envFile("10.30.0.0/16") }));
      expect(findings.map((f) => f.message)).to.deep.equal([
        'VPC CIDR overlap: stack "sandbox" (environments/Pulumi.sandbox.yaml) has 10.30.0.0/16 and stack "prod" (environments/Pulumi.prod.yaml) has 10.30.0.0/16; they could be peered (every stack of this repository may be peered with the management VPC), and AWS refuses to peer overlapping VPCs. Fix: give "sandbox" a range no other stack uses, e.g. 10.1.0.0/16 (platform:network.cidr).',
      ]);
    });

    it("fails on a NACL rule slot another environment already writes into the management VPC", () => {
      const { findings } = addressPlanOf(tmp({ qa: peeredEnv("10.40.0.0/16", 2) }));
      expect(findings.map((f) => f.message)).to.deep.equal([
        'NACL rule slot clash: stacks "qa" (environments/Pulumi.qa.yaml) and "staging" both set platform:peering.ruleSlot 2, so both would write rules 420–429 into the NACLs of the management VPC "shared". Fix: give "qa" a free slot, e.g. 0.',
      ]);
    });

    it("fails when a peer's CIDR or class disagrees with the peer's own file, or the peer does not exist", () => {
      const { findings } = addressPlanOf(
        tmp({
          qa: peeredEnv("10.40.0.0/16", 4, [
            { ...SHARED_PEER, cidr: "10.1.0.0/16" },
            { stack: "organization/platform/prod", cidr: "10.30.0.0/16", environmentClass: "nonprod" },
            { stack: "organization/platform/sharde", cidr: "10.2.0.0/16", environmentClass: "nonprod" },
            { stack: "organization/other-project/tools", cidr: "10.3.0.0/16", environmentClass: "nonprod" },
          ]),
        }),
      );
      expect(findings.map((f) => [f.kind, f.message])).to.deep.equal([
        [
          "peer-cidr",
          'Stale peer address: stack "qa" (environments/Pulumi.qa.yaml) expects "shared" at 10.1.0.0/16 (platform:peering.peers[0].cidr), but environments/Pulumi.shared.yaml sets 10.0.0.0/16. Fix: set platform:peering.peers[0].cidr to 10.0.0.0/16.',
        ],
        [
          "peer-class",
          'Peer class mismatch: stack "qa" (environments/Pulumi.qa.yaml) declares "prod" as nonprod (platform:peering.peers[1].environmentClass), but environments/Pulumi.prod.yaml makes it prod (its platform:peering.environmentClass). Fix: set platform:peering.peers[1].environmentClass to prod.',
        ],
        [
          "unknown-peer",
          'Unknown peer: stack "qa" (environments/Pulumi.qa.yaml) peers with organization/platform/sharde (platform:peering.peers[2].stack), but there is no environments/Pulumi.sharde.yaml. Fix: correct the stack name, or add that stack.',
        ],
      ]);
    });

    it("fails on a stack file whose network section cannot be read", () => {
      const { findings } = addressPlanOf(tmp({ qa: { "aws:region": "ap-northeast-2", "platform:network": { azCount: 2 } } }));
      expect(findings.map((f) => f.message)).to.deep.equal([
        "environments/Pulumi.qa.yaml: platform:network is missing or malformed (cidr: Invalid input: expected string, received undefined). Fix the file; `platform addresses` cannot check a range it cannot read.",
      ]);
    });

    it("accepts a new environment on a free range and a free slot", () => {
      const { findings, stacks } = addressPlanOf(tmp({ qa: peeredEnv("10.40.0.0/16", 4) }));
      expect(findings).to.deep.equal([]);
      expect(stacks.map((s) => s.stack)).to.deep.equal(["shared", "dev", "staging", "prod", "qa"]);
    });
  });

  describe("pure helpers", () => {
    it("suggests the first free block of the asked size inside 10.0.0.0/8", () => {
      const taken = ["10.0.0.0/16", "10.1.0.0/16", "10.3.0.0/16"].map((c) => parseCidr(c)!);
      expect(suggestFreeRange(16, taken)).to.equal("10.2.0.0/16");
      expect(suggestFreeRange(8, taken)).to.equal(undefined);
    });

    it("reports every overlapping pair once, blaming the later stack (a and c are disjoint)", () => {
      const stacks = [addressingFromConfig("b", envFile("10.50.0.0/16")), addressingFromConfig("a", envFile("10.50.0.0/17")), addressingFromConfig("c", envFile("10.50.128.0/17"))];
      expect(checkAddressPlan(stacks, "platform").map((f) => f.stacks)).to.deep.equal([
        ["b", "a"],
        ["c", "b"],
      ]);
    });

    it("renders an unreadable stack without failing", () => {
      const text = renderAddressPlan([addressingFromConfig("x", {})], "platform");
      expect(text.split("\n")[1]).to.equal("x      -      (unreadable)  -        -       -         -");
    });
  });
});
