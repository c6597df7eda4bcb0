"use strict";
// Caches for the plan worker. They change how fast the program loads, never what runs:
//
// - V8 code cache (v8-compile-cache-lib, the same package ts-node uses to load TypeScript): bytecode
//   of every CommonJS module, keyed by file and content. Node 22's module.enableCompileCache() does
//   the same; this machine runs Node 20.
// - Transpile cache (transpile-only runs only): ts-node's output per TypeScript file, keyed by the
//   file name, its content, the compiler options and the TypeScript/ts-node versions. ts-node (as registered by the Pulumi CLI's
//   run()) still compiles every file it has not seen; a cache hit returns the identical text, and
//   its inline source map is served to source-map-support the way ts-node serves its own output.
//
// Both live under node_modules/.cache/platform-plan. PLATFORM_PLAN_CACHE=0 turns them off.
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const url = require("url");

const TOOL_ROOT = path.resolve(__dirname, "..", "..");
const CACHE_ROOT = process.env.PLATFORM_PLAN_CACHE_DIR || path.join(TOOL_ROOT, "node_modules", ".cache", "platform-plan");

function enabled() {
  return process.env.PLATFORM_PLAN_CACHE !== "0";
}

function installCompileCache() {
  if (!enabled()) return;
  try {
    require("v8-compile-cache-lib").install({ cacheDir: path.join(CACHE_ROOT, "v8"), prefix: "plan-worker" });
  } catch {
    // No cache: slower, same result.
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
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, out);
        fs.renameSync(tmp, file);
      } catch {
        // read-only or full disk: no cache, same result
      }
      return out;
    }
    served.set(fileName.replace(/\\/g, "/"), out);
    return out;
  };
}

module.exports = { installCompileCache, installTranspileCache, CACHE_ROOT };
