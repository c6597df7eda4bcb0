import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SHARED_FLAGS, FlagDef } from "../../cli/contract";
import { COMMANDS, main, SUMMARIES } from "../../cli/main";
import { captureOutput } from "../support/capture";

/**
 * The CLI contract (docs/cli.md), checked over every registered command, in-process: each row says
 * how to address a stack and how to make a run fail after its arguments parsed. A command added to
 * cli/main.ts without a row fails the first test.
 */

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "platform-contract-"));
const malformed = path.join(tmp, "malformed.json");
fs.writeFileSync(malformed, '{\n  "version": 3,\n  "deployment": {\n    "resources": [,]\n  }\n}\n');

interface Row {
  /** argv naming stack `s`; null: the command is about every stack. */
  readonly stack: ((s: string) => string[]) | null;
  /** argv that parses but fails (bad input file), with --out FILE appended by the test. */
  readonly failing: string[];
  /** Whether the command takes --format. */
  readonly format: boolean;
}

const ROWS: Record<string, Row> = {
  plan: { stack: (s) => [s], failing: ["dev", "--root", tmp], format: true },
  diff: { stack: (s) => [s, "--base", "HEAD"], failing: ["--from", malformed, "--to", malformed], format: true },
  check: { stack: (s) => [s], failing: ["dev", "--plan", malformed], format: true },
  cost: { stack: (s) => [s], failing: ["dev", "--plan", malformed], format: true },
  review: { stack: (s) => ["--stacks", s], failing: ["--base-plans", tmp, "--head-plans", path.join(tmp, "none")], format: false },
  addresses: { stack: null, failing: ["--root", tmp], format: true },
  reach: { stack: (s) => [s], failing: ["dev", "--plan", malformed], format: true },
  preflight: { stack: (s) => ["--stacks", s], failing: ["--quotas", path.join(tmp, "no-such-quotas.yml")], format: true },
};

const STACK_TRACE = /\n\s+at .+:\d+:\d+\)?/;

async function run(argv: string[]) {
  const r = await captureOutput(() => main(argv));
  return { code: r.value, stdout: r.stdout, stderr: r.stderr };
}

describe("platform CLI contract (every command)", function () {
  this.timeout(30000);
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("has a contract row for every registered command", () => {
    expect(Object.keys(ROWS).sort()).to.deep.equal(Object.keys(COMMANDS).sort());
  });

  it("prints help from SUMMARIES, and each SUMMARIES entry equals its command's own summary", async () => {
    expect(Object.keys(SUMMARIES).sort()).to.deep.equal(Object.keys(COMMANDS).sort());
    for (const [name, load] of Object.entries(COMMANDS)) expect(SUMMARIES[name], name).to.equal(load().summary);
    const { code, stdout } = await run(["--help"]);
    expect(code).to.equal(0);
    for (const [name, summary] of Object.entries(SUMMARIES)) expect(stdout).to.contain(`  ${name.padEnd(10)} ${summary}\n`);
  });

  it("fails on an unknown command with exit 2 and a did-you-mean", async () => {
    const { code, stderr } = await run(["chek", "dev"]);
    expect(code).to.equal(2);
    expect(stderr).to.contain('platform: unknown command "chek" (did you mean "check"?)');
  });

  for (const [name, row] of Object.entries(ROWS)) {
    describe(`platform ${name}`, () => {
      it("--help prints the usage and exits 0", async () => {
        const { code, stdout } = await run([name, "--help"]);
        expect(code).to.equal(0);
        expect(stdout).to.match(new RegExp(`^Usage: platform ${name}`));
      });

      it("declares every flag in its usage text, and shared flags with their shared placeholder", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const mod = require(`../../cli/commands/${name}`) as { FLAGS: readonly FlagDef[] };
        const usage = COMMANDS[name]().usage;
        const shared = Object.values(SHARED_FLAGS) as readonly FlagDef[];
        for (const f of mod.FLAGS) {
          expect(usage, `${name} usage mentions ${f.flag}`).to.contain(f.flag);
          const s = shared.find((x) => x.flag === f.flag);
          if (s) expect(f.value, `${name} ${f.flag}`).to.equal(s.value);
        }
      });

      it("fails on an unknown flag with exit 2, naming it, with a did-you-mean", async () => {
        const { code, stderr } = await run([name, "--ot", "x"]);
        expect(code).to.equal(2);
        expect(stderr).to.contain(`platform ${name}: unknown option --ot`);
        expect(stderr).not.to.match(STACK_TRACE);
      });

      if (row.stack) {
        const argv = row.stack("dve");
        it("fails on an unknown stack with exit 2, the list of stacks and a did-you-mean", async () => {
          const { code, stderr } = await run([name, ...argv]);
          expect(code).to.equal(2);
          expect(stderr).to.contain(`platform ${name}: unknown stack "dve" (did you mean "dev"?); stacks: shared, dev, staging, prod`);
          expect(stderr).not.to.match(STACK_TRACE);
        });
      }

      it(row.format ? "fails on an invalid --format with exit 2, listing the formats" : "rejects --format (it has one output) with exit 2", async () => {
        const { code, stderr } = await run([name, ...(row.stack ? row.stack("dev") : []), "--format", "xml"]);
        expect(code).to.equal(2);
        expect(stderr).to.match(row.format ? /--format must be one of text, [a-z, ]+ \(got "xml"\)/ : /unknown option --format/);
        expect(stderr).not.to.match(STACK_TRACE);
      });

      it("fails without a stack trace and leaves no --out file when its input is bad", async () => {
        const out = path.join(tmp, `${name}-out.txt`);
        const { code, stderr } = await run([name, ...row.failing, "--out", out]);
        expect(code).to.equal(2);
        expect(stderr).not.to.match(STACK_TRACE);
        expect(fs.existsSync(out), `${out} exists`).to.equal(false);
        expect(fs.readdirSync(tmp).filter((f) => f.endsWith(".tmp"))).to.deep.equal([]);
      });
    });
  }

  it("names the file, line and column of malformed JSON given with --plan", async () => {
    const { code, stderr } = await run(["cost", "dev", "--plan", malformed]);
    expect(code).to.equal(2);
    expect(stderr).to.equal(`platform cost: ${malformed}:4:19: not valid JSON: Unexpected token ','\n`);
  });

  it("refuses a plan of another stack", async () => {
    const plan = path.join(tmp, "prod-plan.json");
    fs.writeFileSync(
      plan,
      JSON.stringify({ version: 3, deployment: { manifest: {}, resources: [{ urn: "urn:pulumi:prod::platform::pulumi:pulumi:Stack::platform-prod", type: "pulumi:pulumi:Stack", custom: false }] } }),
    );
    for (const name of ["cost", "check"]) {
      const { code, stderr } = await run([name, "dev", "--plan", plan]);
      expect(code, name).to.equal(2);
      expect(stderr).to.contain(`platform ${name}: ${plan} is a plan of stack "prod", not "dev": pass dev's plan, or name stack "prod"`);
    }
  });

  it("checks a git ref before planning anything (diff and review)", async () => {
    const started = Date.now();
    for (const argv of [["diff", "dev", "--base", "no-such-ref"], ["review", "--base", "no-such-ref"]]) {
      const { code, stderr } = await run(argv);
      expect(code, argv.join(" ")).to.equal(2);
      expect(stderr).to.contain('--base "no-such-ref" is not a commit in');
    }
    // Planning a single stack takes over a second; refusing the ref takes two git calls.
    expect(Date.now() - started).to.be.lessThan(5000);
  });

  it("accepts --out on check (and --output as its alias), not both", async () => {
    const { code, stderr } = await run(["check", "dev", "--out", "a", "--output", "b"]);
    expect(code).to.equal(2);
    expect(stderr).to.contain("Only one of --out and --output can be given");
  });
});
