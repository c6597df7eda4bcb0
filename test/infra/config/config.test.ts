import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { ConfigError, parseConfig } from "../../../infra/config";
import { DEFAULT_AZ_COUNT, DEFAULT_FLOW_LOG_RETENTION_DAYS, DEFAULT_NAT_STRATEGY } from "../../../infra/network/config";
import { engineConfigFor } from "../../../cli/evaluate/stack-config";
import { STACK_ORDER } from "../../../infra/stacks";
import { problemLines } from "./problems";

const FILE = "environments/Pulumi.dev.yaml";
const network = { cidr: "10.10.0.0/16", azCount: 2, natStrategy: "instance" };

function raw(sections: Record<string, unknown>, region = "ap-northeast-2"): Record<string, string> {
  const out: Record<string, string> = { "aws:region": region };
  for (const [k, v] of Object.entries(sections)) out[`platform:${k}`] = JSON.stringify(v);
  return out;
}

function problemsOf(sections: Record<string, unknown>, region?: string): string[] {
  return problemLines("dev", raw(sections, region));
}

describe("config: loading and validation", () => {
  for (const stack of STACK_ORDER) {
    it(`accepts the shipped ${stack} stack file`, () => {
      const cfg = parseConfig(stack, "platform", engineConfigFor(stack));
      expect(cfg.stack).to.equal(stack);
      expect(cfg.region).to.equal("ap-northeast-2");
    });
  }

  it("applies the documented defaults", () => {
    const cfg = parseConfig("dev", "platform", raw({ network: { cidr: "10.10.0.0/16" } }));
    expect(cfg.network.azCount).to.equal(DEFAULT_AZ_COUNT);
    expect(cfg.network.natStrategy).to.equal(DEFAULT_NAT_STRATEGY);
    expect(cfg.network.flowLogs).to.deep.equal({ retentionDays: DEFAULT_FLOW_LOG_RETENTION_DAYS, trafficType: "ALL" });
    expect(cfg.network.interfaceEndpoints).to.deep.equal([]);
    expect(cfg.bastion).to.deep.equal({ enabled: false, instanceType: "t4g.nano", volumeSize: 8, sshCidrs: [] });
    expect(cfg.tags).to.deep.equal({});
  });

  it("defaults the region to ap-northeast-2 when aws:region is not set", () => {
    const cfg = parseConfig("dev", "platform", { "platform:network": JSON.stringify({ cidr: "10.10.0.0/16" }) });
    expect(cfg.region).to.equal("ap-northeast-2");
  });

  it("fails on a malformed CIDR", () => {
    expect(problemsOf({ network: { ...network, cidr: "10.10.0.0/33" } })).to.deep.equal([
      ` - platform:network.cidr: received "10.10.0.0/33"; allowed: an IPv4 CIDR block a.b.c.d/n whose address has no host bits set (e.g. 10.20.0.0/16); fix: set platform:network.cidr in ${FILE} to a block such as "10.20.0.0/16"`,
    ]);
  });

  it("fails on a CIDR outside RFC 1918", () => {
    expect(problemsOf({ network: { ...network, cidr: "100.64.0.0/16" } })).to.deep.equal([
      ` - platform:network.cidr: received "100.64.0.0/16"; allowed: a block inside RFC 1918 private space: 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16; fix: choose an unused private range, e.g. "10.20.0.0/16", in ${FILE}`,
    ]);
  });

  it("fails on a VPC too small for the subnet layout", () => {
    expect(problemsOf({ network: { ...network, cidr: "10.10.0.0/24" } })).to.deep.equal([
      ` - platform:network.cidr: received "10.10.0.0/24"; allowed: /23 or larger: the subnet layout gives public and isolated subnets 1/32 of the VPC each and AWS's smallest subnet is /28; fix: widen the VPC to at least /23 (recommended /16)`,
    ]);
  });

  it("fails on more AZs than the region has", () => {
    expect(problemsOf({ network: { ...network, azCount: 3 } }, "us-west-1")).to.deep.equal([
      " - platform:network.azCount: received 3; allowed: at most 2 (the AZs us-west-1 has); fix: set platform:network.azCount to 2 or fewer (2 for dev, 3 for production)",
    ]);
  });

  it("fails on more AZs than the subnet layout reserves", () => {
    expect(problemsOf({ network: { ...network, azCount: 5 } }, "us-east-1")).to.deep.equal([
      " - platform:network.azCount: received 5; allowed: at most 4 (the AZ slots the subnet layout reserves); fix: set platform:network.azCount to 4 or fewer (2 for dev, 3 for production)",
    ]);
  });

  it("fails on more AZs than the stack declares", () => {
    expect(problemsOf({ network: { ...network, azCount: 3, availabilityZones: ["ap-northeast-2a", "ap-northeast-2c"] } })).to.deep.equal([
      " - platform:network.azCount: received 3; allowed: at most 2, the number of AZs listed in platform:network.availabilityZones; fix: list more availabilityZones or lower azCount",
    ]);
  });

  it("fails on an AZ of another region", () => {
    expect(problemsOf({ network: { ...network, availabilityZones: ["ap-northeast-2a", "us-east-1b"] } })).to.deep.equal([
      ' - platform:network.availabilityZones[1]: received "us-east-1b"; allowed: an AZ name of the stack\'s region ap-northeast-2, e.g. "ap-northeast-2a"; fix: use AZs of ap-northeast-2, or change aws:region',
    ]);
  });

  for (const open of ["0.0.0.0/0", "::/0"]) {
    it(`fails on a bastion SSH source of ${open}`, () => {
      expect(problemsOf({ network, bastion: { enabled: true, sshCidrs: [open] } })).to.deep.equal([
        ` - platform:bastion.sshCidrs[0]: received "${open}"; allowed: an office or VPN CIDR, never the whole internet; fix: replace it with your office's egress range (e.g. "203.0.113.0/24"), or remove sshCidrs from ${FILE} and use Session Manager`,
      ]);
    });
  }

  it("fails on an unknown NAT strategy", () => {
    expect(problemsOf({ network: { ...network, natStrategy: "gateway" } })).to.deep.equal([
      ` - platform:network.natStrategy: received "gateway"; allowed: one of "none", "single", "perAz", "instance"; fix: set platform:network.natStrategy to one of "none", "single", "perAz", "instance" in ${FILE}`,
    ]);
  });

  for (const count of [0, -2]) {
    it(`fails on an AZ count of ${count}`, () => {
      expect(problemsOf({ network: { ...network, azCount: count } })).to.deep.equal([
        ` - platform:network.azCount: received ${count}; allowed: a number >= 1; fix: change platform:network.azCount in ${FILE} to a number >= 1`,
      ]);
    });
  }

  it("fails on an unknown top-level key, suggesting the likely intended one", () => {
    expect(problemsOf({ network, netwrok: { cidr: "10.0.0.0/16" } })).to.deep.equal([
      ` - platform:netwrok: received {"cidr":"10.0.0.0/16"}; allowed: the known keys platform:tags, platform:network, platform:bastion; fix: rename it to "network" (a typo?) in ${FILE}`,
    ].map((l) => l.replace("platform:tags, platform:network, platform:bastion", knownKeys())));
  });

  it("fails on an unknown nested key", () => {
    expect(problemsOf({ network: { ...network, natStategy: "single" } })).to.have.length(1);
    expect(problemsOf({ network: { ...network, natStategy: "single" } })[0]).to.match(
      /^ - platform:network\.natStategy: received "single"; allowed: the known keys cidr, azCount, availabilityZones, natStrategy, .*; fix: rename it to "natStrategy" \(a typo\?\) in environments\/Pulumi\.dev\.yaml$/,
    );
  });

  it("fails on a missing required key", () => {
    expect(problemsOf({})).to.deep.equal([
      ` - platform:network: received (not set); allowed: an object (this key is required); fix: add platform:network to ${FILE}`,
    ]);
  });

  it("fails on reserved tags", () => {
    expect(problemsOf({ network, tags: { ManagedBy: "hand" } })).to.deep.equal([
      ` - platform:tags.ManagedBy: received "hand"; allowed: any tag except Project, Environment, ManagedBy, which the platform sets from the project and stack; fix: remove ManagedBy from platform:tags in ${FILE}`,
    ]);
  });

  it("aggregates every problem of every section into one error", () => {
    let error: ConfigError | undefined;
    try {
      parseConfig("dev", "platform", raw({ network: { cidr: "8.8.0.0/16", azCount: 0, natStrategy: "x" }, bastion: { sshCidrs: ["0.0.0.0/0"] }, typo: 1 }));
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).to.be.instanceOf(ConfigError);
    expect(error!.problems.map((p) => p.key)).to.deep.equal([
      "platform:network.azCount",
      "platform:network.natStrategy",
      "platform:typo",
      "platform:network.cidr",
      "platform:bastion.sshCidrs[0]",
    ]);
    expect(error!.message.split("\n")[0]).to.equal(
      'Invalid configuration for stack "dev" (environments/Pulumi.dev.yaml), 5 problems; nothing was created:',
    );
  });

  describe("the program with a bad config", () => {
    it("fails before registering a single resource", async () => {
      let registered = 0;
      await pulumi.runtime.setMocks(
        {
          newResource: (a) => {
            registered++;
            return { id: `${a.name}-id`, state: a.inputs };
          },
          call: () => ({}),
        },
        "platform",
        "dev",
      );
      pulumi.runtime.setAllConfig(raw({ network: { ...network, cidr: "10.10.0.0/33" }, bastion: { enabled: true, sshCidrs: ["0.0.0.0/0"] } }), []);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const program = require("../../../infra/index") as () => Promise<unknown>;
      let error: unknown;
      try {
        await program();
      } catch (e) {
        error = e;
      }
      await new Promise((r) => setTimeout(r, 50));
      expect(error).to.be.instanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.key)).to.deep.equal(["platform:network.cidr", "platform:bastion.sshCidrs[0]"]);
      expect(registered).to.equal(0);
    });
  });
});

function knownKeys(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PlatformConfigSchema } = require("../../../infra/config") as typeof import("../../../infra/config");
  return Object.keys(PlatformConfigSchema.shape).map((k) => `platform:${k}`).join(", ");
}
