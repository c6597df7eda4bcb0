import { expect } from "chai";
import { Progress } from "../../cli/plan/progress";
import { oneOf, parseFlags, UsageError } from "../../cli/plan/args";

describe("plan progress indicator", () => {
  it("on a terminal, redraws one status line naming the running stacks", () => {
    const writes: string[] = [];
    // An environment without CI: under CI (which sets CI=true) progress is off by design.
    const p = new Progress({ isTTY: true, write: (c) => writes.push(c) > 0 }, 4, {});
    p.onEvent({ kind: "start", stack: "shared" });
    p.onEvent({ kind: "failed", stack: "shared", failure: { stack: "shared", message: "x", log: [] } });
    p.onEvent({ kind: "start", stack: "dev" });
    p.stop();
    expect(writes[0]).to.match(/^\r\x1b\[2K. planning shared {2}\(0\/4 done, \d+\.\d s\)$/);
    expect(writes[2]).to.match(/^\r\x1b\[2K. planning dev {2}\(0\/4 done, 1 failed, \d+\.\d s\)$/);
    expect(writes[writes.length - 1]).to.equal("\r\x1b[2K");
  });

  it("under CI, writes nothing even on a terminal", () => {
    const writes: string[] = [];
    const p = new Progress({ isTTY: true, write: (c) => writes.push(c) > 0 }, 1, { CI: "true" });
    p.onEvent({ kind: "start", stack: "dev" });
    p.stop();
    expect(writes).to.deep.equal([]);
  });

  it("off a terminal, writes nothing", () => {
    const writes: string[] = [];
    const p = new Progress({ isTTY: false, write: (c) => writes.push(c) > 0 }, 1);
    p.onEvent({ kind: "start", stack: "dev" });
    p.stop();
    expect(writes).to.deep.equal([]);
  });
});

describe("plan/diff flag parsing", () => {
  const spec = { values: ["--out", "--format"], booleans: ["--all"] };
  it("reads values, inline values, booleans and positionals", () => {
    const a = parseFlags(["dev", "--out", "x.json", "--format=json", "--all"], spec);
    expect(a.positionals).to.deep.equal(["dev"]);
    expect(a.values).to.deep.equal({ "--out": "x.json", "--format": "json" });
    expect([...a.booleans]).to.deep.equal(["--all"]);
  });

  const failures: [string[], string][] = [
    [["--bogus"], "unknown option --bogus"],
    [["--out"], "--out needs a value"],
    [["--out", "--all"], "--out needs a value"],
    [["--all=1"], "--all takes no value"],
    [["--out", "a", "--out", "b"], "--out given twice"],
  ];
  for (const [argv, message] of failures) {
    it(`fails on ${argv.join(" ")} with "${message}"`, () => {
      expect(() => parseFlags(argv, spec)).to.throw(UsageError, message);
    });
  }

  it("fails on a format outside the allowed set", () => {
    expect(() => oneOf("--format", "yaml", ["text", "json"] as const, "text")).to.throw('--format must be one of text, json (got "yaml")');
  });
});
