import { expect } from "chai";
import fc from "fast-check";
import { ConfigProblem } from "../../../infra/config";
import { CacheConfigSchema, validateCacheConfig } from "../../../infra/cache/config";
import { windowsOverlap } from "../../../infra/cache/plan";
import { problemsOfEditedStack } from "../config/problems";

type Raw = Record<string, unknown>;

function problemsOf(stack: string, edit: (cache: Raw, config: Raw) => void): ConfigProblem[] {
  return problemsOfEditedStack(stack, (config) => edit(config["platform:cache"] as Raw, config));
}

describe("cache/config: the shipped stacks", () => {
  for (const stack of ["dev", "staging", "prod"]) {
    it(`${stack}'s platform:cache is valid`, () => expect(problemsOf(stack, () => undefined)).to.deep.equal([]));
  }

  it("defaults: valkey, a t4g.micro, no replica, 7 days of snapshots, IAM auth, protected", () => {
    expect(CacheConfigSchema.parse({ engineVersion: "8.0" })).to.deep.include({
      engine: "valkey",
      nodeType: "cache.t4g.micro",
      replicas: 0,
      automaticFailover: false,
      multiAz: false,
      snapshotRetentionDays: 7,
      finalSnapshot: true,
      protect: true,
      auth: "iam",
      logRetentionDays: 365,
    });
  });
});

describe("cache/config: refused configurations", () => {
  it("fails on an engine version outside the documented list, with a did-you-mean", () => {
    expect(problemsOf("prod", (c) => (c.engineVersion = "8.3"))).to.deep.equal([
      {
        key: "platform:cache.engineVersion",
        received: "8.3",
        allowed: "a valkey version that runs IAM authentication: 7.2, 8.0, 8.1, 8.2",
        fix: 'did you mean "8.0"?',
      },
    ]);
  });

  it("fails on a Redis OSS version given for Valkey, saying whose version it is", () => {
    expect(problemsOf("prod", (c) => (c.engineVersion = "7.1"))[0].allowed).to.equal("a valkey version that runs IAM authentication: 7.2, 8.0, 8.1, 8.2 (7.1 is a redis version)");
  });

  it("fails on Redis OSS 6.2 (no IAM authentication)", () => {
    expect(
      problemsOf("prod", (c) => {
        c.engine = "redis";
        c.engineVersion = "6.2";
      }).map((p) => [p.key, p.allowed]),
    ).to.deep.equal([["platform:cache.engineVersion", "a redis version that runs IAM authentication: 7.0, 7.1"]]);
  });

  it("fails on an unknown node family, suggesting the closest", () => {
    expect(problemsOf("prod", (c) => (c.nodeType = "cache.m7x.large"))).to.deep.equal([
      {
        key: "platform:cache.nodeType",
        received: "cache.m7x.large",
        allowed: "cache.<family>.<size> of a current family: t3, t4g, m5, m6g, m7g, r5, r6g, r7g, c7gn",
        fix: 'did you mean "cache.m7g.large"?',
      },
    ]);
  });

  it("fails on r6gd nodes, which AWS runs only with data tiering (DataTieringEnabled)", () => {
    expect(problemsOf("prod", (c) => (c.nodeType = "cache.r6gd.xlarge"))).to.deep.equal([
      {
        key: "platform:cache.nodeType",
        received: "cache.r6gd.xlarge",
        allowed: "a family without data tiering (t3, t4g, m5, m6g, m7g, r5, r6g, r7g, c7gn): r6gd nodes run only with data tiering, which the session store does not enable",
        fix: 'use "cache.r6g.xlarge" or "cache.r7g.xlarge"',
      },
    ]);
  });

  it("fails on more replicas than the AZs can spread", () => {
    expect(problemsOf("dev", (c) => (c.replicas = 2))).to.deep.equal([
      {
        key: "platform:cache.replicas",
        received: 2,
        allowed: "at most 1: the primary and each replica land in distinct AZs and the network spans 2 (platform:network.azCount)",
        fix: "lower replicas to 1, or raise platform:network.azCount",
      },
    ]);
  });

  it("fails on 6 replicas in the schema (a shard holds a primary and at most 5)", () => {
    expect(CacheConfigSchema.safeParse({ engineVersion: "8.0", replicas: 6 }).success).to.equal(false);
  });

  it("fails on Multi-AZ without automatic failover, and on failover without a replica", () => {
    expect(
      problemsOf("dev", (c) => {
        c.multiAz = true;
      }),
    ).to.deep.equal([
      { key: "platform:cache.multiAz", received: true, allowed: "true only with automaticFailover: true (Multi-AZ promotes a replica automatically)", fix: "set automaticFailover: true, or multiAz: false" },
    ]);
    expect(
      problemsOf("dev", (c) => {
        c.multiAz = true;
        c.automaticFailover = true;
      }),
    ).to.deep.equal([
      {
        key: "platform:cache.automaticFailover",
        received: true,
        allowed: "true only with at least one replica (there is nothing to fail over to)",
        fix: "set replicas to 1 or more (at most 1), or automaticFailover: false",
      },
    ]);
  });

  it("fails on a protected cache that keeps no snapshot at all", () => {
    expect(
      problemsOf("dev", (c) => {
        c.protect = true;
      }),
    ).to.deep.equal([
      {
        key: "platform:cache.finalSnapshot",
        received: false,
        allowed: "false only in a throwaway environment (protect: false); a protected cache keeps its data either in snapshots or in a final snapshot",
        fix: "set finalSnapshot: true or snapshotRetentionDays of at least 1, or protect: false",
      },
    ]);
  });

  it("fails on malformed, short and overlapping windows", () => {
    expect(problemsOf("prod", (c) => (c.snapshotWindow = "5:00-6:00")).map((p) => [p.key, p.allowed])).to.deep.equal([["platform:cache.snapshotWindow", "hh24:mi-hh24:mi in UTC"]]);
    expect(problemsOf("prod", (c) => (c.maintenanceWindow = "mon:18:30-mon:19:00")).map((p) => [p.key, p.allowed])).to.deep.equal([["platform:cache.maintenanceWindow", "at least 60 minutes"]]);
    expect(problemsOf("prod", (c) => (c.maintenanceWindow = "Monday 18:30"))[0].allowed).to.equal("ddd:hh24:mi-ddd:hh24:mi in UTC, lowercase days");
    expect(
      problemsOf("prod", (c) => {
        c.snapshotWindow = "18:00-19:00";
      }),
    ).to.deep.equal([
      {
        key: "platform:cache.snapshotWindow",
        received: "18:00-19:00",
        allowed: "a window that does not overlap maintenanceWindow (mon:18:30-mon:19:30): ElastiCache refuses overlapping windows",
        fix: "move one of the two windows",
      },
    ]);
  });

  it("fails on a snapshot window when snapshots are off", () => {
    expect(problemsOf("dev", (c) => (c.snapshotWindow = "16:00-17:00")).map((p) => p.allowed)).to.deep.equal(["set only when snapshots are kept (snapshotRetentionDays >= 1)"]);
  });

  it("refuses the AUTH-token mode, explaining why IAM is the supported one", () => {
    expect(problemsOf("prod", (c) => (c.auth = "authToken"))).to.deep.equal([
      {
        key: "platform:cache.auth",
        received: "authToken",
        allowed: '"iam" only: services sign a 15-minute token with their task role, so no password exists to store, share or rotate; an AUTH token is one shared secret for every client',
        fix: "remove platform:cache.auth from environments/Pulumi.prod.yaml (IAM is the default); clients connect as shown in docs/cache.md",
      },
    ]);
  });

  it("refuses cluster-enabled among the parameters", () => {
    expect(problemsOf("prod", (c) => (c.parameters = { "cluster-enabled": "yes", "maxmemory-policy": "volatile-lru" })).map((p) => p.key)).to.deep.equal(["platform:cache.parameters.cluster-enabled"]);
  });

  it("fails on a service with cache: true in a stack without platform:cache, and on CACHE_* variables set by hand", () => {
    const problems = problemsOfEditedStack("dev", (config) => {
      delete config["platform:cache"];
    });
    expect(problems).to.deep.equal([
      { key: "platform:services[0].cache", received: true, allowed: "true only when the stack has a platform:cache section", fix: "add platform:cache to environments/Pulumi.dev.yaml, or set cache: false" },
    ]);
    const env = problemsOfEditedStack("dev", (config) => {
      ((config["platform:services"] as Raw[])[0].environment as Raw).CACHE_HOST = "localhost";
    });
    expect(env.map((p) => p.key)).to.deep.equal(["platform:services[0].environment.CACHE_HOST"]);
  });
});

describe("cache/plan: windows", () => {
  it("a daily window overlaps a weekly one on the same day and time, also across midnight and the week's end", () => {
    expect(windowsOverlap("18:00-19:00", "mon:18:30-mon:19:30")).to.equal(true);
    expect(windowsOverlap("16:00-17:00", "mon:18:30-mon:19:30")).to.equal(false);
    expect(windowsOverlap("23:30-00:30", "sun:23:45-mon:00:45")).to.equal(true);
    expect(windowsOverlap("00:00-01:00", "sat:23:30-sun:00:30")).to.equal(true);
  });

  it("property: a daily window overlaps a weekly one iff their times of day overlap (same-day weekly windows)", () => {
    const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1380 }), fc.integer({ min: 60, max: 120 }), fc.integer({ min: 0, max: 1300 }), fc.integer({ min: 60, max: 120 }), fc.integer({ min: 0, max: 6 }), (s, sl, w, wl, d) => {
        const se = Math.min(s + sl, 1439);
        const we = Math.min(w + wl, 1439);
        const day = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"][d];
        const expected = s < we && w < se;
        expect(windowsOverlap(`${hhmm(s)}-${hhmm(se)}`, `${day}:${hhmm(w)}-${day}:${hhmm(we)}`)).to.equal(expected);
      }),
    );
  });

  it("validateCacheConfig returns nothing for a minimal valid config", () => {
    expect(validateCacheConfig(CacheConfigSchema.parse({ engineVersion: "8.0" }), 2, "f.yaml")).to.deep.equal([]);
  });
});
