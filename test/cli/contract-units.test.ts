import { expect } from "chai";
import fc from "fast-check";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  checkPlanStack,
  didYouMean,
  editDistance,
  InputError,
  jsonErrorOffset,
  parseCommandArgs,
  parseJsonText,
  parseYamlText,
  resolveStack,
  stackOfPlan,
  UsageError,
  writeFileAtomic,
} from "../../cli/contract";
import { readStackFile, repoRootFrom, StackFileError } from "../../cli/evaluate/stack-config";
import { colourEnabled, palette, progressEnabled, Status } from "../../cli/plan/progress";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { distState } = require("../../bin/dist.js") as {
  distState(root: string): { state: "fresh" | "stale" | "missing" };
};

const STACKS = ["shared", "dev", "staging", "prod"];

describe("contract: did-you-mean", () => {
  const cases: Array<[string, string | undefined]> = [
    ["dve", "dev"],
    ["prd", "prod"],
    ["stagign", "staging"],
    ["Prod", "prod"],
    ["shard", "shared"],
    ["qa", undefined],
    ["production", undefined],
  ];
  for (const [typed, expected] of cases) {
    it(`suggests ${expected === undefined ? "nothing" : `"${expected}"`} for "${typed}"`, () => {
      expect(didYouMean(typed, STACKS)).to.equal(expected);
    });
  }

  it("counts an adjacent swap as one edit", () => {
    expect(editDistance("dve", "dev")).to.equal(1);
    expect(editDistance("kitten", "sitting")).to.equal(3);
  });

  it("is a metric's first two axioms: zero only for equal strings, symmetric", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        expect(editDistance(a, b) === 0).to.equal(a === b);
        expect(editDistance(a, b)).to.equal(editDistance(b, a));
      }),
    );
  });

  it("fails on an unknown stack naming the stacks and the closest one", () => {
    expect(() => resolveStack("dve", STACKS)).to.throw(
      UsageError,
      'unknown stack "dve" (did you mean "dev"?); stacks: shared, dev, staging, prod (one per environments/Pulumi.<stack>.yaml)',
    );
    expect(resolveStack("dev", STACKS)).to.equal("dev");
  });

  it("suggests a declared flag for a misspelt one", () => {
    const flags = [{ flag: "--format", value: "F", help: "" }, { flag: "--out", value: "FILE", help: "" }] as const;
    expect(() => parseCommandArgs(["--fromat", "json"], flags)).to.throw(UsageError, "unknown option --fromat (did you mean --format?)");
    expect(() => parseCommandArgs(["--verbose"], flags)).to.throw(UsageError, /^unknown option --verbose$/);
  });

  it("keeps every value of a repeatable flag, in order", () => {
    const a = parseCommandArgs(["--usage", "a.yml", "--usage=b.yml", "dev"], [{ flag: "--usage", value: "FILE", repeatable: true, help: "" }]);
    expect(a.lists["--usage"]).to.deep.equal(["a.yml", "b.yml"]);
    expect(a.positionals).to.deep.equal(["dev"]);
  });
});

describe("contract: file errors name the file, line and column", () => {
  const json: Array<[string, string]> = [
    ['{\n  "a": [1,,2]\n}', "f.json:2:11: not valid JSON: Unexpected token ','"],
    ['{"a": 1', "f.json:1:8: not valid JSON: Expected ',' or '}' after property value"],
    ["", "f.json:1:1: not valid JSON: Unexpected end of JSON input"],
    ["[1, 2]x", "f.json:1:7: not valid JSON: Unexpected non-whitespace character after JSON"],
    ['{"a": "b\\q"}', "f.json:1:10: not valid JSON: Bad escaped character"],
  ];
  for (const [text, message] of json) {
    it(`fails on ${JSON.stringify(text)} with "${message}"`, () => {
      expect(() => parseJsonText(text, "f.json")).to.throw(InputError).with.property("message").that.matches(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    });
  }

  it("finds no error offset before the end in valid JSON, and parses it as JSON.parse does", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v, null, 1);
        expect(jsonErrorOffset(text)).to.equal(text.length);
        expect(parseJsonText(text, "f.json")).to.deep.equal(JSON.parse(text));
      }),
    );
  });

  it("fails on malformed YAML with FILE:LINE:COL", () => {
    expect(() => parseYamlText("config:\n  a: [1, 2\n  b: 3\n", "Pulumi.dev.yaml")).to.throw(InputError, /^Pulumi\.dev\.yaml:\d+:\d+: not valid YAML: /);
  });

  it("fails on a malformed stack file naming it, with line and column", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "platform-yaml-"));
    try {
      fs.mkdirSync(path.join(root, "environments"));
      fs.writeFileSync(path.join(root, "environments", "Pulumi.dev.yaml"), "config:\n  platform:x: 1\n   bad: [\n");
      expect(() => readStackFile("dev", root)).to.throw(StackFileError, /Pulumi\.dev\.yaml:\d+:\d+: not valid YAML: /);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("contract: plans and output files", () => {
  const plan = (stack: string) => ({
    version: 3,
    deployment: { resources: [{ urn: `urn:pulumi:${stack}::platform::pulumi:pulumi:Stack::platform-${stack}`, type: "pulumi:pulumi:Stack" }] },
  });

  it("reads a plan's stack from its URNs", () => {
    expect(stackOfPlan(plan("prod"))).to.equal("prod");
    expect(stackOfPlan({ version: 3, deployment: { resources: [] } })).to.equal(undefined);
  });

  it("fails on a plan of another stack, naming the file and both stacks", () => {
    expect(() => checkPlanStack(plan("prod"), "dev", "p.json")).to.throw(
      InputError,
      'p.json is a plan of stack "prod", not "dev": pass dev\'s plan, or name stack "prod"',
    );
    expect(() => checkPlanStack(plan("dev"), "dev", "p.json")).not.to.throw();
  });

  it("writes whole files only, leaving no temporary file, and fails naming the target", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-out-"));
    try {
      const file = path.join(dir, "sub", "report.md");
      writeFileAtomic(file, "x\n");
      expect(fs.readFileSync(file, "utf8")).to.equal("x\n");
      expect(fs.readdirSync(path.dirname(file))).to.deep.equal(["report.md"]);
      fs.mkdirSync(path.join(dir, "taken"));
      expect(() => writeFileAtomic(path.join(dir, "taken"), "y")).to.throw(InputError, /^cannot write .*taken: /);
      expect(fs.readdirSync(dir).sort()).to.deep.equal(["sub", "taken"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("compiled CLI: dist/ freshness (bin/dist.js)", () => {
  let root = "";
  const touch = (rel: string, when: number) => {
    const f = path.join(root, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    if (!fs.existsSync(f)) fs.writeFileSync(f, "");
    fs.utimesSync(f, when, when);
  };
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "platform-dist-"));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("is missing without a build stamp", () => {
    touch("cli/main.ts", 1000);
    expect(distState(root).state).to.equal("missing");
  });

  it("is fresh when the stamp is newer than every source and tsconfig", () => {
    touch("cli/main.ts", 1000);
    touch("policies/index.ts", 1000);
    touch("tsconfig.json", 1000);
    touch("dist/.build-stamp", 2000);
    expect(distState(root).state).to.equal("fresh");
  });

  for (const edited of ["cli/commands/plan.ts", "infra/network/plan.ts", "policies/lib/sg.ts", "tsconfig.build.json", "cli/cost/prices.json"]) {
    it(`is stale after ${edited} changes`, () => {
      touch("cli/main.ts", 1000);
      touch("dist/.build-stamp", 2000);
      touch(edited, 3000);
      expect(distState(root).state).to.equal("stale");
    });
  }

  it("ignores node_modules and data files the compiled code reads from the sources", () => {
    touch("cli/main.ts", 1000);
    touch("dist/.build-stamp", 2000);
    touch("policies/node_modules/x/index.ts", 3000);
    touch("policies/config/dev.json", 3000);
    expect(distState(root).state).to.equal("fresh");
  });

  it("finds the repository root from cli/evaluate and from dist/cli/evaluate", () => {
    fs.writeFileSync(path.join(root, "Pulumi.yaml"), "name: x\n");
    expect(repoRootFrom(path.join(root, "cli", "evaluate"))).to.equal(root);
    expect(repoRootFrom(path.join(root, "dist", "cli", "evaluate"))).to.equal(root);
  });
});

describe("terminal output: progress and colour", () => {
  const tty = { isTTY: true, write: () => true };
  const pipe = { isTTY: false, write: () => true };

  const progress: Array<[string, typeof tty, NodeJS.ProcessEnv, boolean]> = [
    ["a terminal", tty, {}, true],
    ["a pipe", pipe, {}, false],
    ["a terminal under CI=true", tty, { CI: "true" }, false],
    ["a terminal with CI=false", tty, { CI: "false" }, true],
  ];
  for (const [what, out, env, expected] of progress) {
    it(`${expected ? "draws" : "draws no"} progress on ${what}`, () => expect(progressEnabled(out, env)).to.equal(expected));
  }

  const colour: Array<[string, typeof tty, NodeJS.ProcessEnv, boolean]> = [
    ["a terminal", tty, {}, true],
    ["a pipe", pipe, {}, false],
    ["a terminal with NO_COLOR=1", tty, { NO_COLOR: "1" }, false],
    ["a terminal with NO_COLOR empty", tty, { NO_COLOR: "" }, true],
    ["a pipe with FORCE_COLOR=1", pipe, { FORCE_COLOR: "1" }, true],
    ["a terminal with FORCE_COLOR=0", tty, { FORCE_COLOR: "0" }, false],
    ["a pipe with NO_COLOR and FORCE_COLOR", pipe, { NO_COLOR: "1", FORCE_COLOR: "1" }, false],
  ];
  for (const [what, out, env, expected] of colour) {
    it(`${expected ? "colours" : "does not colour"} ${what}`, () => expect(colourEnabled(out, env)).to.equal(expected));
  }

  it("styles text only when colour is on", () => {
    expect(palette(true).red("x")).to.equal("\x1b[31mx\x1b[0m");
    expect(palette(false).red("x")).to.equal("x");
  });

  it("draws a status line only after its delay, and erases it on stop", async () => {
    const writes: string[] = [];
    const s = new Status({ isTTY: true, write: (c) => writes.push(c) > 0 }, "platform check", { NO_COLOR: "1" }, 20);
    s.update("planning dev");
    expect(writes).to.deep.equal([]);
    await new Promise((r) => setTimeout(r, 60));
    s.stop();
    expect(writes[0]).to.match(/^\r\x1b\[2K. platform check: planning dev \(0\.\d s\)$/);
    expect(writes[writes.length - 1]).to.equal("\r\x1b[2K");
  });

  it("writes nothing when stopped before its delay, or under CI", async () => {
    const writes: string[] = [];
    const quick = new Status({ isTTY: true, write: (c) => writes.push(c) > 0 }, "p", {}, 50);
    quick.update("x");
    quick.stop();
    const ci = new Status({ isTTY: true, write: (c) => writes.push(c) > 0 }, "p", { CI: "1" }, 1);
    ci.update("x");
    await new Promise((r) => setTimeout(r, 30));
    ci.stop();
    expect(writes).to.deep.equal([]);
  });
});
