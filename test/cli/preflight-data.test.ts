import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { DEFAULT_QUOTAS_FILE, loadRaisedQuotas } from "../../cli/commands/preflight";
import { DEFAULT_VPC_QUOTAS } from "../../cli/preflight/check";
import {
  ANY_REGION,
  QUOTA_CODE,
  QUOTA_TABLE_PATH,
  QuotaFileError,
  limitOf,
  parseQuotaTable,
  parseRaisedQuotas,
  quotaById,
  shippedQuotaTable,
} from "../../cli/preflight/quota-table";
import { renderQuotaTableMarkdown } from "../../cli/preflight/render";
import { REGION_AZ_COUNT } from "../../infra/config/regions";

/**
 * The quota table stays consistent (codes well-formed and unique, every source defined), the
 * counters only use quotas it has, docs/preflight.md shows the table as it is, and quotas.yml is
 * validated strictly.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const REGIONS = Object.keys(REGION_AZ_COUNT);
const table = shippedQuotaTable();

function problems(yaml: string): string {
  try {
    parseRaisedQuotas(yaml, "environments/quotas.yml", table, REGIONS);
  } catch (e) {
    expect(e).to.be.instanceOf(QuotaFileError);
    return (e as Error).message;
  }
  throw new Error("expected a QuotaFileError");
}

describe("preflight data: cli/preflight/quotas.json", () => {
  it("every code is L- and 8 upper-case hex digits, and unique", () => {
    const codes = table.quotas.map((q) => q.code).filter((c): c is string => c !== null);
    for (const c of codes) expect(c).to.match(QUOTA_CODE);
    expect(new Set(codes).size).to.equal(codes.length);
  });

  it("every entry names a defined source, a positive default, a scope, and how to raise it", () => {
    for (const q of table.quotas) {
      for (const s of q.source.split(",").map((x) => x.trim())) expect(table.sources, `${q.id} source ${s}`).to.have.property(s);
      expect(q.default, q.id).to.be.greaterThan(0);
      expect(q.raise, q.id).to.not.equal("");
    }
    for (const [key, text] of Object.entries(table.sources)) expect(text, key).to.match(/https:\/\/docs\.aws\.amazon\.com\//);
  });

  it("holds AWS's documented defaults for the quotas that decide the shipped stacks' layout", () => {
    const pick = (id: string) => {
      const q = quotaById(table, id);
      return [q.code, q.default, q.scope];
    };
    expect(pick("eips")).to.deep.equal(["L-0263D0A3", 5, "region"]);
    expect(pick("vpcs")).to.deep.equal(["L-F678F1CE", 5, "region"]);
    expect(pick("fargate-on-demand-vcpu")).to.deep.equal(["L-3032A538", 6, "region"]);
    expect(pick("fargate-spot-vcpu")).to.deep.equal(["L-36FBB829", 6, "region"]);
    expect(pick("rules-per-security-group")).to.deep.equal(["L-0EA8095F", 60, "securityGroup"]);
    expect(pick("rules-per-network-acl")).to.deep.equal(["L-2AEEBF1A", 20, "networkAcl"]);
    expect(pick("routes-per-route-table")).to.deep.equal(["L-93826ACB", 50, "routeTable"]);
    expect(pick("security-groups-per-eni")).to.deep.equal(["L-2AFB9258", 5, "networkInterface"]);
    expect(pick("peering-per-vpc")).to.deep.equal(["L-7E9ECCDB", 50, "vpc"]);
  });

  it("has an entry for every quota the counters and the default VPC use", () => {
    const source = fs.readFileSync(path.join(ROOT, "cli/preflight/count.ts"), "utf8");
    const used = new Set([...source.matchAll(/(?:add|quota = [^"]*)\("([a-z0-9-]+)"/g)].map((m) => m[1]));
    for (const m of source.matchAll(/"(fargate-(?:on-demand|spot)-vcpu)"/g)) used.add(m[1]);
    for (const id of DEFAULT_VPC_QUOTAS) used.add(id);
    expect(used.size).to.be.greaterThan(25);
    for (const id of used) expect(() => quotaById(table, id), id).to.not.throw();
  });

  it("fails on a malformed table, listing every problem", () => {
    const bad = JSON.parse(fs.readFileSync(QUOTA_TABLE_PATH, "utf8"));
    bad.quotas[0].code = "L-0263d0a3";
    bad.quotas[1].source = "VPCQ, NOPE";
    bad.quotas[2].id = bad.quotas[3].id;
    expect(() => parseQuotaTable(bad, "quotas.json")).to.throw(
      QuotaFileError,
      'quotas.json is invalid:\n - quotas[0] (eips).code: "L-0263d0a3" is not L- and 8 hex digits (or null)\n - quotas[1] (vpcs).source: "NOPE" is not defined in sources\n - quotas[3] (nat-gateways-per-az).id: "nat-gateways-per-az" is used twice',
    );
  });

  it("docs/preflight.md shows the table as cli/preflight/quotas.json has it (regenerate with renderQuotaTableMarkdown)", () => {
    const docs = fs.readFileSync(path.join(ROOT, "docs/preflight.md"), "utf8");
    const start = docs.indexOf("<!-- quota-table:start -->\n");
    const end = docs.indexOf("<!-- quota-table:end -->");
    expect(start, "marker").to.be.greaterThan(-1);
    expect(docs.slice(start + "<!-- quota-table:start -->\n".length, end)).to.equal(renderQuotaTableMarkdown(table));
  });
});

describe("preflight data: environments/quotas.yml", () => {
  it("the shipped file is valid and raises prod's Fargate On-Demand vCPU only", () => {
    const raised = loadRaisedQuotas(path.join(ROOT, DEFAULT_QUOTAS_FILE), true);
    expect(raised).to.deep.equal({ "222222222222": { "ap-northeast-2": { "L-3032A538": 20 } } });
  });

  it("a Region's value wins over the account's \"*\" value, which wins over AWS's default", () => {
    const raised = parseRaisedQuotas(`accounts:\n  "111111111111":\n    "*": { L-0263D0A3: 8 }\n    us-east-1: { L-0263D0A3: 12 }\n`, "q.yml", table, REGIONS);
    const eips = quotaById(table, "eips");
    expect(limitOf(eips, "111111111111", "us-east-1", raised)).to.deep.equal({ limit: 12, raised: true });
    expect(limitOf(eips, "111111111111", "eu-west-1", raised)).to.deep.equal({ limit: 8, raised: true });
    expect(limitOf(eips, "222222222222", "eu-west-1", raised)).to.deep.equal({ limit: 5, raised: false });
    expect(ANY_REGION).to.equal("*");
  });

  it("an empty file raises nothing", () => {
    expect(parseRaisedQuotas("", "q.yml", table, REGIONS)).to.deep.equal({});
  });

  const cases: Array<[string, string, string]> = [
    ["an unknown top-level key, with a did-you-mean", "acounts: {}\n", ' - acounts: unknown key; allowed: accounts; fix: rename it to "accounts"'],
    [
      "an unquoted account id",
      "accounts:\n  12345:\n    us-east-1: { L-0263D0A3: 10 }\n",
      ' - accounts.12345: "12345" is not an account id; allowed: 12 digits, quoted ("111111111111"); fix: quote the id (YAML reads an unquoted id as a number)',
    ],
    [
      "an unknown Region, with a did-you-mean",
      'accounts:\n  "111111111111":\n    us-east1: { L-0263D0A3: 10 }\n',
      ` - accounts.111111111111.us-east1: unknown Region "us-east1"; allowed: "*" or one of ${REGIONS.join(", ")}; fix: rename it to "us-east-1"`,
    ],
    [
      "a value below AWS's default",
      'accounts:\n  "111111111111":\n    us-east-1: { L-0263D0A3: 3 }\n',
      " - accounts.111111111111.us-east-1.L-0263D0A3: received 3, below AWS's default 5 for EC2-VPC Elastic IPs; allowed: 5 or more (Service Quotas only raises); fix: write the applied value, or remove the line",
    ],
    [
      "a value that is not a whole number",
      'accounts:\n  "111111111111":\n    us-east-1: { L-0263D0A3: "ten" }\n',
      ' - accounts.111111111111.us-east-1.L-0263D0A3: received "ten"; allowed: a whole number above zero (the applied value of EC2-VPC Elastic IPs); fix: write the value Service Quotas shows',
    ],
    [
      "a quota AWS does not let anyone raise",
      'accounts:\n  "111111111111":\n    us-east-1: { L-5BC124EF: 20 }\n',
      " - accounts.111111111111.us-east-1.L-5BC124EF: Read replicas per primary (Aurora replicas per cluster) cannot be raised; fix: remove it (Not adjustable for Aurora: lower readerAutoscaling.maxReaders, or split reads across clusters.)",
    ],
  ];
  for (const [what, yaml, line] of cases) {
    it(`fails on ${what}`, () => {
      expect(problems(yaml).split("\n")).to.deep.equal(["environments/quotas.yml: 1 problem:", line]);
    });
  }

  it("fails on YAML that does not parse, naming the file", () => {
    expect(problems("accounts: [\n")).to.match(/^environments\/quotas\.yml is not valid YAML: /);
  });
});
