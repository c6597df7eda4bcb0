"use strict";
// Caches for the plan worker. They change how fast the program loads, never what runs:
//
// - V8 code cache: the bytecode V8 compiled for every CommonJS module the worker loads, so the next
//   worker deserializes instead of parsing and compiling ~2,000 modules (@pulumi/pulumi, TypeScript,
//   @pulumi/aws, the program). Node 22's module.enableCompileCache() does this; this machine runs
//   Node 20, so the worker replaces Module.prototype._compile the way v8-compile-cache(-lib) does,
//   with three differences measured on a prod plan (see BENCHMARKS.md): a hit is only consumed, never
//   re-serialized (V8's produceCachedData re-encodes every script: ~85 ms per worker); the cache is
//   written only when something was new, and taken after the program ran, so functions V8 compiled
//   lazily are in it too; the key is a one-shot SHA-1 of the exact source, so any edit is a miss.
// - Transpile cache (transpile-only runs only): ts-node's output per TypeScript file, keyed by the
//   file name, its content, the compiler options and the TypeScript/ts-node versions. ts-node (as registered by the Pulumi CLI's
//   run()) still compiles every file it has not seen; a cache hit returns the identical text, and
//   its inline source map is served to source-map-support the way ts-node serves its own output.
// - Stat cache: Node caches file-system probes while it resolves one top-level require, but only
//   inside its own _compile, which the code cache replaces; the worker keeps them for its life
//   instead (a worker loads one program and exits, and modules do not appear mid-run).
//
// Both on-disk caches live under node_modules/.cache/platform-plan. PLATFORM_PLAN_CACHE=0 turns all
// three off.
const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const path = require("path");
const url = require("url");
const vm = require("vm");

const TOOL_ROOT = path.resolve(__dirname, "..", "..");
const CACHE_ROOT = process.env.PLATFORM_PLAN_CACHE_DIR || path.join(TOOL_ROOT, "node_modules", ".cache", "platform-plan");
// Code caches are only valid for the V8 that wrote them (V8 also checks, and rejects a mismatch).
const CODE_CACHE_FILE = path.join(CACHE_ROOT, "v8", `code-${process.version}-${process.arch}.bin`);

function enabled() {
  return process.env.PLATFORM_PLAN_CACHE !== "0";
}

function sourceKey(content) {
  // crypto.hash (Node >= 20.12) hashes in one call; createHash costs ~20 µs per module in objects.
  return crypto.hash ? crypto.hash("sha1", content) : crypto.createHash("sha1").update(content).digest("hex");
}

/**
 * The code cache file: 4-byte little-endian length of a JSON index, the index
 * ({ [filename]: [sourceKey, offset, length] }), then the concatenated V8 cache buffers.
 */
function readCodeCache(file) {
  try {
    const buf = fs.readFileSync(file);
    const indexLength = buf.readUInt32LE(0);
    const index = JSON.parse(buf.toString("utf8", 4, 4 + indexLength));
    return { index, data: buf.subarray(4 + indexLength) };
  } catch {
    return { index: {}, data: Buffer.alloc(0) };
  }
}

function writeCodeCache(file, entries) {
  const index = {};
  const buffers = [];
  let offset = 0;
  for (const [filename, [key, buffer]] of entries) {
    index[filename] = [key, offset, buffer.length];
    buffers.push(buffer);
    offset += buffer.length;
  }
  const json = Buffer.from(JSON.stringify(index));
  const header = Buffer.alloc(4);
  header.writeUInt32LE(json.length, 0);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeAtomic(file, Buffer.concat([header, json, ...buffers]));
}

/** Whole-file rename: a concurrent worker reads either the old file or the new one, never half. */
function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

function stripShebang(content) {
  if (content.charCodeAt(0) !== 35 /* # */ || content.charCodeAt(1) !== 33 /* ! */) return content;
  const eol = content.search(/[\r\n]/);
  // Keep the newline so line numbers in stack traces stay right.
  return eol === -1 ? "" : content.slice(eol);
}

/** What the code cache did in this process (tests and the benchmark read it). */
const codeCacheStats = { hits: 0, misses: 0, rejected: 0, written: false };

function installCompileCache() {
  if (!enabled()) return;
  const file = CODE_CACHE_FILE;
  const { index, data } = readCodeCache(file);
  const fresh = new Map(); // filename -> [key, vm.Script], cached at exit
  const importModuleDynamically = vm.constants && vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER;

  function compileWrapper(filename, content) {
    const key = sourceKey(content);
    const hit = index[filename];
    const cachedData = hit && hit[0] === key ? data.subarray(hit[1], hit[1] + hit[2]) : undefined;
    const script = new vm.Script(Module.wrap(stripShebang(content)), {
      filename,
      cachedData,
      ...(importModuleDynamically ? { importModuleDynamically } : {}),
    });
    if (!cachedData) codeCacheStats.misses++;
    else if (script.cachedDataRejected) codeCacheStats.rejected++;
    else codeCacheStats.hits++;
    if (!cachedData || script.cachedDataRejected) fresh.set(filename, [key, script]);
    return script.runInThisContext({ displayErrors: true });
  }

  const nodeCompile = Module.prototype._compile;
  Module.prototype._compile = function compileWithCache(content, filename, format) {
    // ES modules (require(esm)) and anything unusual take Node's own path.
    if (format === "module" || typeof content !== "string") return nodeCompile.apply(this, arguments);
    const mod = this;
    // The same require function Node builds (internal/modules/helpers makeRequireFunction).
    const require = (id) => mod.require(id);
    const resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
    resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
    require.resolve = resolve;
    require.main = process.mainModule;
    require.extensions = Module._extensions;
    require.cache = Module._cache;
    const wrapper = compileWrapper(filename, content);
    return wrapper.call(mod.exports, mod.exports, require, mod, filename, path.dirname(filename));
  };

  process.once("exit", () => {
    if (fresh.size === 0) return;
    try {
      // Merge with what other workers wrote meanwhile; this run's entries win.
      const onDisk = readCodeCache(file);
      const entries = new Map();
      for (const [filename, [key, offset, length]] of Object.entries(onDisk.index)) {
        entries.set(filename, [key, onDisk.data.subarray(offset, offset + length)]);
      }
      for (const [filename, [key, offset, length]] of Object.entries(index)) {
        if (!entries.has(filename)) entries.set(filename, [key, data.subarray(offset, offset + length)]);
      }
      // Entries of files that are gone (e.g. `platform diff --base` worktrees) would only make every
      // later worker read a bigger file.
      for (const filename of entries.keys()) if (!fresh.has(filename) && !fs.existsSync(filename)) entries.delete(filename);
      // Taken now rather than at compile time: it then also holds the functions V8 compiled lazily.
      for (const [filename, [key, script]] of fresh) entries.set(filename, [key, script.createCachedData()]);
      writeCodeCache(file, entries);
      codeCacheStats.written = true;
    } catch {
      // read-only or full disk: no cache, same result
    }
  });

  installStatCache();
}

function installStatCache() {
  const descriptor = Object.getOwnPropertyDescriptor(Module, "_stat");
  if (!descriptor || typeof descriptor.get !== "function") return;
  const nodeStat = Module._stat;
  if (typeof nodeStat !== "function") return;
  // Unlike Node's per-require cache this also keeps misses: most probes are node_modules folders that
  // do not exist, asked again from every package that requires @pulumi/pulumi.
  const known = new Map();
  const cachedStat = (filename) => {
    let result = known.get(filename);
    if (result === undefined) {
      result = nodeStat(filename);
      known.set(filename, result);
    }
    return result;
  };
  // The setter warns that Module._stat is experimental; the warning is not news to this worker.
  const emitWarning = process.emitWarning;
  process.emitWarning = () => {};
  try {
    Module._stat = cachedStat;
  } finally {
    process.emitWarning = emitWarning;
  }
}

function installTranspileCache() {
  if (!enabled()) return;
  const service = process[Symbol.for("ts-node.register.instance")];
  if (!service || typeof service.compile !== "function") return;
  // With type checking on, compile() must run for every file: a file's diagnostics depend on the
  // types of the files it imports, which its own content does not capture.
  const transpileOnly = service.transpileOnly ?? (service.options && service.options.transpileOnly);
  if (transpileOnly !== true) return;
  const dir = path.join(CACHE_ROOT, "transpile");
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch {
    return;
  }
  let tsVersion = "";
  let tsNodeVersion = "";
  try {
    tsVersion = require(service.compilerPath || "typescript").version;
    tsNodeVersion = require("ts-node/package.json").version;
  } catch {
    return;
  }
  const salt = JSON.stringify([tsVersion, tsNodeVersion, service.config && service.config.options, service.options && service.options.transpileOnly]);
  const served = new Map();
  // ts-node's own handler answers from its in-memory output; this one answers for cache hits.
  const sourceMapSupport = require(require.resolve("@cspotcode/source-map-support", { paths: [require.resolve("ts-node")] }));
  sourceMapSupport.install({
    environment: "node",
    retrieveFile(pathOrUrl) {
      let p = pathOrUrl;
      if (p.startsWith("file://")) {
        try {
          p = url.fileURLToPath(p);
        } catch {
          // not a file URL after all
        }
      }
      return served.get(p.replace(/\\/g, "/")) || "";
    },
  });
  const compile = service.compile.bind(service);
  service.compile = (code, fileName, lineOffset) => {
    if (lineOffset) return compile(code, fileName, lineOffset);
    const key = crypto.createHash("sha256").update(salt).update("\0").update(fileName).update("\0").update(code).digest("hex");
    const file = path.join(dir, `${key}.js`);
    let out;
    try {
      out = fs.readFileSync(file, "utf8");
    } catch {
      out = compile(code, fileName);
      try {
        writeAtomic(file, out);
      } catch {
        // read-only or full disk: no cache, same result
      }
      return out;
    }
    served.set(fileName.replace(/\\/g, "/"), out);
    return out;
  };
}

module.exports = { installCompileCache, installTranspileCache, codeCacheStats, CACHE_ROOT, CODE_CACHE_FILE };
