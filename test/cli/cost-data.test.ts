import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import {
  lookupUsage,
  parsePriceTable,
  parseUsageFile,
  shippedPriceTable,
  USAGE_KEYS,
  validateUsageKeys,
} from "../../cli/cost";

const ROOT = path.join(__dirname, "..", "..");

/** Items the platform creates that cost money: every shipped region must price them. */
const REQUIRED_KEYS = [
  "nat-gateway-hour",
  "nat-gateway-gb",
  "alb-hour",
  "alb-lcu-hour",
  "public-ipv4-hour",
  "ec2-instance-hour:t4g.nano",
  "ec2-instance-hour:t4g.micro",
  "ebs-gb-month:gp3",
  "fargate-vcpu-hour:x86_64",
  "fargate-gb-hour:x86_64",
  "fargate-vcpu-hour:arm64",
  "fargate-gb-hour:arm64",
  "fargate-spot-discount",
  "aurora-instance-hour:db.t4g.medium",
  "aurora-instance-hour:db.r6g.large",
  "aurora-iopt-instance-multiplier",
  "aurora-acu-hour",
  "aurora-acu-hour-iopt",
  "aurora-storage-gb-month",
  "aurora-storage-gb-month-iopt",
  "aurora-io-million",
  "aurora-backup-gb-month",
  "vpc-endpoint-hour",
  "vpc-endpoint-gb",
  "logs-ingest-gb",
  "logs-storage-gb-month",
  "kms-key-month",
  "secret-month",
  "ecr-storage-gb-month",
  "s3-standard-gb-month",
];

describe("cost data: the shipped price table", () => {
  const table = shippedPriceTable();

  for (const region of ["ap-northeast-2", "us-east-1"]) {
    it(`prices every item the platform creates in ${region}, each with a source and an as-of date`, () => {
      const prices = table.regions[region];
      expect(
        REQUIRED_KEYS.filter((k) => !(k in prices)),
        "missing keys",
      ).to.deep.equal([]);
      for (const [key, entry] of Object.entries(prices)) {
        expect(entry.source.length, `${key}.source`).to.be.greaterThan(0);
        expect(entry.asOf, `${key}.asOf`).to.match(/^\d{4}(-\d{2}(-\d{2})?)?$/);
      }
    });
  }

  it("has the reference figures for the single-resource checks", () => {
    const pick = (region: string, key: string) => table.regions[region][key].usd;
    expect([
      pick("us-east-1", "nat-gateway-hour"),
      pick("ap-northeast-2", "nat-gateway-hour"),
    ]).to.deep.equal([0.045, 0.059]);
    expect([pick("us-east-1", "alb-hour"), pick("ap-northeast-2", "alb-hour")]).to.deep.equal([
      0.0225, 0.0225,
    ]);
    expect([
      pick("us-east-1", "fargate-vcpu-hour:x86_64"),
      pick("us-east-1", "fargate-gb-hour:x86_64"),
    ]).to.deep.equal([0.04048, 0.004445]);
    expect([
      pick("us-east-1", "aurora-instance-hour:db.r6g.large"),
      pick("ap-northeast-2", "aurora-instance-hour:db.r6g.large"),
    ]).to.deep.equal([0.26, 0.313]);
  });

  it("marks every assumption and unconfirmed figure as unverified", () => {
    for (const region of Object.keys(table.regions)) {
      for (const [key, entry] of Object.entries(table.regions[region])) {
        if (/ASSUMPTION|derived|fixture|approx/i.test(entry.source))
          expect(entry.verified, `${region} ${key}`).to.equal(false);
      }
    }
  });

  it("fails on an entry without a source, naming the path", () => {
    expect(() =>
      parsePriceTable(
        {
          currency: "USD",
          hoursPerMonth: 730,
          regions: { "us-east-1": { "alb-hour": { usd: 0.0225, unit: "hours", asOf: "2024" } } },
        },
        "t.json",
      ),
    ).to.throw("Invalid t.json:\n - regions.us-east-1.alb-hour.source:");
  });
});

describe("cost data: usage files", () => {
  it("the shipped default usage file parses and sets every key the engine reads", () => {
    const file = parseUsageFile(
      fs.readFileSync(path.join(ROOT, "cli", "cost", "usage.default.yml"), "utf8"),
      "default",
    );
    validateUsageKeys(file, USAGE_KEYS);
    const optional = new Set(["aws:ecs/service:Service.average_task_count"]);
    for (const [type, keys] of Object.entries(USAGE_KEYS)) {
      for (const key of keys) {
        if (optional.has(`${type}.${key}`)) continue;
        expect(file.typeDefaults[type]?.[key], `${type}.${key}`).to.be.a("number");
      }
    }
  });

  for (const f of fs
    .readdirSync(path.join(ROOT, "environments"))
    .filter((n) => /^usage\..+\.yml$/.test(n))) {
    it(`environments/${f} parses and uses only known keys`, () => {
      const file = parseUsageFile(fs.readFileSync(path.join(ROOT, "environments", f), "utf8"), f);
      validateUsageKeys(file, USAGE_KEYS);
    });
  }

  const NAT = "aws:ec2/natGateway:NatGateway";
  const URN = `urn:pulumi:dev::platform::platform:network:Vpc$${NAT}::dev-nat-1`;
  const a = parseUsageFile(
    `resource_type_default_usage: { "${NAT}": { monthly_data_processed_gb: 10 } }
resource_usage:
  "dev-*": { monthly_data_processed_gb: 20 }
  "dev-nat-*": { monthly_data_processed_gb: 30 }`,
    "a.yml",
  );
  const cases: Array<[string, string, number | null, string]> = [
    ["the longest matching pattern beats a shorter one and the type default", "", 30, "a.yml"],
    [
      "an exact logical name beats a pattern",
      `resource_usage: { dev-nat-1: { monthly_data_processed_gb: 40 } }`,
      40,
      "b.yml",
    ],
    [
      "an exact URN beats an exact name",
      `resource_usage: { dev-nat-1: { monthly_data_processed_gb: 40 }, "${URN}": { monthly_data_processed_gb: 50 } }`,
      50,
      "b.yml",
    ],
    [
      "a later file's type default beats an earlier file's resource entry",
      `resource_type_default_usage: { "${NAT}": { monthly_data_processed_gb: 60 } }`,
      60,
      "b.yml",
    ],
    [
      "~ in a later file makes the value unknown",
      `resource_usage: { "*": { monthly_data_processed_gb: ~ } }`,
      null,
      "b.yml",
    ],
  ];
  for (const [title, text, value, source] of cases) {
    it(`resolves usage: ${title}`, () => {
      const files = text === "" ? [a] : [a, parseUsageFile(text, "b.yml")];
      expect(lookupUsage(files, URN, NAT, "monthly_data_processed_gb")).to.deep.equal({
        value,
        source,
      });
    });
  }

  it("returns undefined when no file mentions the key", () => {
    expect(lookupUsage([a], URN, NAT, "storage_gb")).to.equal(undefined);
  });

  it("fails on negative numbers and non-numbers, listing every problem", () => {
    expect(() =>
      parseUsageFile(
        `resource_usage: { x: { storage_gb: -1, average_acu: "lots" } }\nextra: 1`,
        "bad.yml",
      ),
    ).to.throw(
      "Invalid usage file bad.yml:\n" +
        ' - unknown top-level key "extra" (allowed: version, resource_type_default_usage, resource_usage)\n' +
        " - resource_usage.x.storage_gb is -1; use a number >= 0, or ~ for unknown\n" +
        ' - resource_usage.x.average_acu is "lots"; use a number >= 0, or ~ for unknown',
    );
  });

  it("fails on a type with no usage keys", () => {
    const f = parseUsageFile(
      `resource_type_default_usage: { "aws:ec2/vpc:Vpc": { storage_gb: 1 } }`,
      "t.yml",
    );
    expect(() => validateUsageKeys(f, USAGE_KEYS)).to.throw(
      'resource_type_default_usage."aws:ec2/vpc:Vpc": no usage keys for this type',
    );
  });
});
