import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * The plan worker's code cache (cli/plan/caches.js) replaces Node's module compilation, so it must
 * load every module exactly as Node does and never run stale bytecode. Each case runs fresh node
 * processes against a temporary cache directory, as successive plan workers would.
 */
const CACHES = path.join(__dirname, "..", "..", "cli", "plan", "caches.js");

interface Loaded {
  readonly exports: Record<string, unknown>;
  readonly stats: { hits: number; misses: number; rejected: number; written: boolean };
  readonly compileReplaced: boolean;
}

describe("plan worker code cache", () => {
  let dir: string;
  let cacheDir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-cache-"));
    cacheDir = path.join(dir, "cache");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A fresh process that installs the cache, then requires `file` (stats as seen at the end). */
  function load(file: string, env: Record<string, string> = {}): Loaded {
    const script = `
      const Module = require("module");
      const nodeCompile = Module.prototype._compile;
      const caches = require(${JSON.stringify(CACHES)});
      caches.installCompileCache();
      const exports = require(${JSON.stringify(file)});
      const out = { exports, compileReplaced: Module.prototype._compile !== nodeCompile };
      process.on("exit", () => process.stdout.write(JSON.stringify({ ...out, stats: caches.codeCacheStats })));
    `;
    const r = spawnSync(process.execPath, ["-e", script], {
      env: { ...process.env, PLATFORM_PLAN_CACHE_DIR: cacheDir, ...env },
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`node exited ${r.status}: ${r.stderr}`);
    return JSON.parse(r.stdout) as Loaded;
  }

  function write(name: string, text: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  }

  it("compiles a module once; the next process runs it from the cache with Node's module scope", () => {
    write("dep.js", "module.exports = 41;\n");
    const file = write(
      "mod.js",
      [
        "const dep = require('./dep');",
        "module.exports = {",
        "  value: dep + 1, filename: __filename, dirname: __dirname, self: module.exports === this,",
        "  resolved: require.resolve('./dep'), cached: Object.keys(require.cache).includes(require.resolve('./dep')),",
        "};",
      ].join("\n"),
    );
    const expected = {
      value: 42,
      filename: file,
      dirname: dir,
      self: true,
      resolved: path.join(dir, "dep.js"),
      cached: true,
    };
    const first = load(file);
    expect(first.exports).to.deep.equal(expected);
    expect(first.compileReplaced).to.equal(true);
    expect(first.stats).to.deep.equal({ hits: 0, misses: 2, rejected: 0, written: true });
    const second = load(file);
    expect(second.exports).to.deep.equal(expected);
    expect(second.stats).to.deep.equal({ hits: 2, misses: 0, rejected: 0, written: false });
  });

  it("never runs stale bytecode: an edit of the same length is a miss and the new code runs", () => {
    const file = write("mod.js", "module.exports = { value: 1 };\n");
    expect(load(file).exports).to.deep.equal({ value: 1 });
    write("mod.js", "module.exports = { value: 2 };\n");
    const edited = load(file);
    expect(edited.exports).to.deep.equal({ value: 2 });
    expect(edited.stats).to.deep.equal({ hits: 0, misses: 1, rejected: 0, written: true });
    expect(load(file).stats).to.deep.equal({ hits: 1, misses: 0, rejected: 0, written: false });
  });

  it("keeps line numbers of a module with a shebang", () => {
    const file = write("bin.js", "#!/usr/bin/env node\n\nmodule.exports = { stack: new Error('here').stack.split('\\n')[1] };\n");
    for (const run of [load(file), load(file)]) {
      expect(run.exports.stack).to.contain(`${file}:3:`);
    }
  });

  it("drops entries of files that no longer exist when it next writes", () => {
    const gone = write("gone.js", "module.exports = 'gone';\n");
    load(gone);
    const kept = write("kept.js", "module.exports = 'kept';\n");
    fs.rmSync(gone);
    load(kept);
    expect(load(kept).stats).to.deep.equal({ hits: 1, misses: 0, rejected: 0, written: false });
    const cacheFile = path.join(cacheDir, "v8", `code-${process.version}-${process.arch}.bin`);
    const buf = fs.readFileSync(cacheFile);
    const index = JSON.parse(buf.toString("utf8", 4, 4 + buf.readUInt32LE(0))) as Record<string, unknown>;
    expect(Object.keys(index)).to.deep.equal([kept]);
  });

  it("PLATFORM_PLAN_CACHE=0 leaves Node's loader alone and writes nothing", () => {
    const file = write("mod.js", "module.exports = { value: 3 };\n");
    const off = load(file, { PLATFORM_PLAN_CACHE: "0" });
    expect(off.exports).to.deep.equal({ value: 3 });
    expect(off.compileReplaced).to.equal(false);
    expect(off.stats).to.deep.equal({ hits: 0, misses: 0, rejected: 0, written: false });
    expect(fs.existsSync(cacheDir)).to.equal(false);
  });
});
