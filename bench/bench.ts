import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { STACK_ORDER } from "../infra/stacks";
import { readStackFile, REPO_ROOT } from "../cli/evaluate/stack-config";
import { serializeDeployment } from "../cli/plan/deployment";
import { isStackPlan, planStacksSettled, StackPlan } from "../cli/plan/planner";
import { reachTimings } from "./reach";

/**
 * `npm run bench`: `platform plan` for each shipped stack, for all stacks together, and for
 * generated stacks of 10/50/200 services, against the floor (bench/floor.js: the same resources
 * registered with the bare mock runtime), and the commands as users run them (`node bin/platform.js
 * --help | plan | check | review`). Writes BENCHMARKS.md; BENCH_ONLY=cli re-measures only the latter. Not a test: numbers depend on the
 * machine and on what else runs on it (the load average is recorded with them).
 */

const REPS = Number(process.env.BENCH_REPS ?? 3);
const SCALES = (process.env.BENCH_SCALES ?? "10,50,200").split(",").filter((s) => s !== "").map(Number);
const OUT_DIR = path.join(REPO_ROOT, ".bench");

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxRssBytes: number;
  readonly registrations: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function med(samples: Sample[]): Sample {
  return {
    wallMs: median(samples.map((s) => s.wallMs)),
    cpuMs: median(samples.map((s) => s.cpuMs)),
    maxRssBytes: Math.max(...samples.map((s) => s.maxRssBytes)),
    registrations: samples[0].registrations,
  };
}

function mb(bytes: number): string {
  return `${Math.round(bytes / 1048576)} MB`;
}

function s(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/**
 * One floor run in a fresh process, timed from spawn to exit like the plan worker. `declared`: the
 * map from bench/declared-properties.js, so that each resource is registered with every property its
 * @pulumi/aws class declares rather than its inputs only.
 */
function floor(planFile: string, declared?: string): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [path.join(__dirname, "floor.js"), planFile, ...(declared ? [declared] : [])], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`floor ${planFile} exited ${code}`));
      const r = JSON.parse(out) as { registrations: number; maxRssBytes: number; cpuMs: number };
      resolve({ wallMs: Date.now() - started, cpuMs: r.cpuMs, maxRssBytes: r.maxRssBytes, registrations: r.registrations });
    });
  });
}

/** bench/declared-properties.js over the given plans, written next to them. */
function declaredProperties(planFiles: string[]): string {
  const out = path.join(OUT_DIR, "declared-properties.json");
  const r = spawnSync(process.execPath, [path.join(__dirname, "declared-properties.js"), ...planFiles], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`bench: declared-properties.js exited ${r.status}: ${r.stderr}`);
  fs.writeFileSync(out, r.stdout);
  return out;
}

/** Floors of several plans, scheduled like the planner (upstream first, two at a time). */
async function floorAll(files: string[]): Promise<number> {
  const started = Date.now();
  await floor(files[0]);
  const rest = files.slice(1);
  const running: Promise<void>[] = [];
  for (let i = 0; i < 2; i++) {
    running.push(
      (async () => {
        while (rest.length > 0) await floor(rest.shift()!);
      })(),
    );
  }
  await Promise.all(running);
  return Date.now() - started;
}

function sample(p: StackPlan): Sample {
  return { wallMs: p.stats.wallMs, cpuMs: p.stats.cpuMs, maxRssBytes: p.stats.maxRssBytes, registrations: p.stats.registrations };
}

function must(r: Map<string, unknown>, stack: string): StackPlan {
  const p = r.get(stack) as StackPlan;
  if (!isStackPlan(p)) throw new Error(`bench: ${stack} failed to plan: ${(p as { message: string }).message}`);
  return p;
}

/**
 * A stack with `n` copies of the first service of prod, each on its own path and, when prod's
 * service releases through a test listener (blue/green), on its own test port: config refuses two
 * services on one. (Past 50 listeners one ALB would exceed its quota; `platform preflight` says
 * so. The bench measures planning, not a deployable layout.)
 */
export function scaleConfig(n: number): Record<string, unknown> {
  const prod = readStackFile("prod").config;
  const services = prod["platform:services"] as Record<string, unknown>[] | undefined;
  if (!services || services.length === 0) throw new Error("bench: prod has no platform:services to replicate");
  const template = services[0];
  const deployment = template.deployment as Record<string, unknown> | undefined;
  const testPort = typeof deployment?.testListenerPort === "number" ? deployment.testListenerPort : undefined;
  const generated = Array.from({ length: n }, (_, i) => {
    const name = `svc-${String(i + 1).padStart(3, "0")}`;
    return {
      ...template,
      name,
      routing: { paths: [`/${name}/*`] },
      ...(deployment && testPort !== undefined ? { deployment: { ...deployment, testListenerPort: testPort + i } } : {}),
    };
  });
  return { ...prod, "platform:services": generated };
}

function loadavg(): string {
  return os.loadavg().map((x) => x.toFixed(2)).join(" / ");
}

/** Wall time of `node bin/platform.js <args>` from spawn to exit; exit codes outside `ok` are errors. */
function timeCli(args: string[], ok: readonly number[] = [0]): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [path.join(REPO_ROOT, "bin", "platform.js"), ...args], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    c.stderr.on("data", (b: Buffer) => (err += b.toString()));
    c.on("exit", (code) =>
      ok.includes(code ?? -1) ? resolve(Date.now() - started) : reject(new Error(`platform ${args.join(" ")} exited ${code}: ${err}`)),
    );
  });
}

const CLI_HEADING = "## The CLI as users run it";

/**
 * `node bin/platform.js …` from a fresh process, as a user or CI types it: the figures issue #14's
 * targets are set on. `floorOf(stack)` is the bare mock runtime's wall time for that stack's plan;
 * `plan <stack>` also plans the stacks it references (shared) first, so its floor is the sum over
 * that schedule.
 */
async function cliSection(floorOf: (stack: string) => number): Promise<string[]> {
  const { distState } = require(path.join(REPO_ROOT, "bin", "dist.js")) as { distState(): { state: string } };
  const dist = distState().state;
  const help: number[] = [];
  const plans = new Map<string, number[]>();
  const checks = new Map<string, number[]>();
  const reviews: number[] = [];
  const startLoad = loadavg();
  for (let rep = 0; rep < REPS; rep++) {
    help.push(await timeCli(["--help"]));
    for (const stack of STACK_ORDER) {
      const out = path.join(OUT_DIR, `cli-${stack}.json`);
      plans.set(stack, [...(plans.get(stack) ?? []), await timeCli(["plan", stack, "--out", out])]);
      checks.set(stack, [...(checks.get(stack) ?? []), await timeCli(["check", stack, "--out", path.join(OUT_DIR, `check-${stack}.txt`)], [0, 1])]);
    }
    reviews.push(await timeCli(["review", "--out", path.join(OUT_DIR, "review.md")], [0, 1]));
  }
  const lines: string[] = [];
  lines.push(CLI_HEADING, "");
  lines.push(
    `\`node bin/platform.js …\` from a fresh process, medians of ${REPS} runs; dist/ was ${dist} ` +
      `(${dist === "fresh" ? "the compiled CLI and policy pack ran" : "the TypeScript sources ran through ts-node"}). ` +
      `Load average at start ${startLoad}, at end ${loadavg()}.`,
    "",
  );
  lines.push("| command | wall | target |", "|---|---:|---|");
  lines.push(`| \`platform --help\` | ${s(median(help))} | <= 0.30 s |`);
  for (const stack of STACK_ORDER) {
    const schedule = stack === "shared" ? ["shared"] : ["shared", stack];
    const f = schedule.reduce((sum, st) => sum + floorOf(st), 0);
    const w = median(plans.get(stack)!);
    lines.push(`| \`platform plan ${stack}\` (floor ${s(f)}, ${schedule.join(" then ")}) | ${s(w)} = ${(w / f).toFixed(2)} x floor | <= 1.5 x floor |`);
  }
  for (const stack of STACK_ORDER) lines.push(`| \`platform check ${stack}\` | ${s(median(checks.get(stack)!))} | <= 4 s |`);
  lines.push(`| \`platform review\` (every stack, no base) | ${s(median(reviews))} | <= 20 s |`);
  lines.push("");
  return lines;
}

export async function main(): Promise<void> {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  if (process.env.BENCH_ONLY === "cli") return cliOnly();
  const lines: string[] = [];
  const startLoad = loadavg();

  // Warm the caches once (V8 code cache, transpile cache), as a developer's second run would be.
  const warm = await planStacksSettled([...STACK_ORDER]);
  const upstream: Record<string, StackPlan> = { shared: must(warm, "shared") };

  // Per stack: the worker for that stack alone (upstream reused), REPS times.
  const perStack = new Map<string, Sample[]>();
  const floors = new Map<string, Sample[]>();
  const declaredFloors = new Map<string, Sample[]>();
  for (let rep = 0; rep < REPS; rep++) {
    for (const stack of STACK_ORDER) {
      const r = await planStacksSettled([stack], { concurrency: 1, upstream: stack === "shared" ? {} : upstream });
      const p = must(r, stack);
      const file = path.join(OUT_DIR, `${stack}.json`);
      fs.writeFileSync(file, serializeDeployment(p.deployment));
      perStack.set(stack, [...(perStack.get(stack) ?? []), sample(p)]);
      floors.set(stack, [...(floors.get(stack) ?? []), await floor(file)]);
    }
  }
  const declaredStacks = declaredProperties(STACK_ORDER.map((st) => path.join(OUT_DIR, `${st}.json`)));
  for (let rep = 0; rep < REPS; rep++) {
    for (const stack of STACK_ORDER) {
      const f = await floor(path.join(OUT_DIR, `${stack}.json`), declaredStacks);
      declaredFloors.set(stack, [...(declaredFloors.get(stack) ?? []), f]);
    }
  }

  // `platform reach` on the plans just written (the engine alone: planning is timed above).
  const reachRows = reachTimings(OUT_DIR, STACK_ORDER, REPS);

  // All stacks together, as `platform plan --all` runs them (shared, then two workers at a time).
  const allWalls: number[] = [];
  const allRss: number[] = [];
  const floorAllWalls: number[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    const started = Date.now();
    const r = await planStacksSettled([...STACK_ORDER]);
    allWalls.push(Date.now() - started);
    allRss.push(Math.max(...STACK_ORDER.map((st) => must(r, st).stats.maxRssBytes)));
    floorAllWalls.push(await floorAll(STACK_ORDER.map((st) => path.join(OUT_DIR, `${st}.json`))));
  }

  // The CLI as a user runs it (includes loading the CLI itself).
  const cliWalls: number[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    const started = Date.now();
    await new Promise<void>((resolve, reject) => {
      const c = spawn(process.execPath, [path.join(REPO_ROOT, "bin", "platform.js"), "plan", "--all"], { stdio: "ignore" });
      c.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`platform plan --all exited ${code}`))));
    });
    cliWalls.push(Date.now() - started);
  }

  // Scale: generated stacks of N services.
  const scale: { n: number; plan: Sample; floor: Sample; floorDeclared: Sample }[] = [];
  for (const n of SCALES) {
    const stack = `scale-${n}`;
    const r = await planStacksSettled([stack], { concurrency: 1, upstream, configOverride: { [stack]: scaleConfig(n) } });
    const p = must(r, stack);
    const file = path.join(OUT_DIR, `${stack}.json`);
    fs.writeFileSync(file, serializeDeployment(p.deployment));
    scale.push({ n, plan: sample(p), floor: await floor(file), floorDeclared: await floor(file, declaredProperties([file])) });
  }

  const endLoad = loadavg();
  lines.push("# Benchmarks: `platform plan`");
  lines.push("");
  lines.push("Generated by `npm run bench` (bench/bench.ts); do not edit by hand. Numbers are medians of");
  lines.push(`${REPS} runs with warm caches (V8 code cache and transpile cache, see cli/plan/caches.js).`);
  lines.push("");
  lines.push(`- Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), ${mb(os.totalmem())} RAM, Node ${process.version}`);
  lines.push(`- Load average (1/5/15 min) at start: ${startLoad}; at end: ${endLoad}. Other engineers' test runs share the`);
  lines.push("  two cores: wall times inflate with load, CPU times much less.");
  lines.push("- plan: one worker process per stack (fork, Pulumi CLI entry, program, recorder, deployment document),");
  lines.push("  timed from fork to exit. Floor: `node bench/floor.js <plan>`, the same resources registered with the bare");
  lines.push("  mock runtime, timed from spawn to exit.");
  lines.push("");
  lines.push("## Per stack");
  lines.push("");
  lines.push(
    "| stack | resources | plan wall | floor wall | ratio (wall) | plan CPU | floor CPU | ratio (CPU) | plan peak RSS | floor peak RSS | floor, declared properties CPU | ratio to it (CPU) |",
  );
  lines.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const stack of STACK_ORDER) {
    const p = med(perStack.get(stack)!);
    const f = med(floors.get(stack)!);
    const d = med(declaredFloors.get(stack)!);
    lines.push(
      `| ${stack} | ${p.registrations} | ${s(p.wallMs)} | ${s(f.wallMs)} | ${(p.wallMs / f.wallMs).toFixed(2)} | ${s(p.cpuMs)} | ${s(f.cpuMs)} | ${(p.cpuMs / f.cpuMs).toFixed(2)} | ${mb(p.maxRssBytes)} | ${mb(f.maxRssBytes)} | ${s(d.cpuMs)} | ${(p.cpuMs / d.cpuMs).toFixed(2)} |`,
    );
  }
  lines.push("");
  lines.push("## All four stacks together");
  lines.push("");
  const allWall = median(allWalls);
  const floorAllWall = median(floorAllWalls);
  lines.push("| what | wall | target | peak RSS (largest worker) |");
  lines.push("|---|---:|---:|---:|");
  lines.push(`| planStacks(STACK_ORDER) (library: what check/cost/review call) | ${s(allWall)} | < 15 s | ${mb(Math.max(...allRss))} |`);
  lines.push(`| \`platform plan --all\` (CLI process, includes loading the CLI) | ${s(median(cliWalls))} | < 15 s | |`);
  lines.push(`| floor, same schedule | ${s(floorAllWall)} | | |`);
  lines.push(`| ratio to the floor (library) | ${(allWall / floorAllWall).toFixed(2)} | <= 1.5 | |`);
  lines.push("");
  lines.push("## `platform reach` beyond planning");
  lines.push("");
  lines.push("Reading the plan documents (the stack's and shared's), building the network model, deriving and evaluating every intent.");
  lines.push("");
  lines.push("| stack | intents | wall | target |");
  lines.push("|---|---:|---:|---:|");
  for (const r of reachRows) lines.push(`| ${r.stack} | ${r.intents} | ${s(r.ms)} | < 1 s |`);
  lines.push("");
  lines.push("## Scale: generated stacks (prod config, N copies of its service)");
  lines.push("");
  if (scale.length === 0) lines.push("Not run (BENCH_SCALES empty).");
  else {
    lines.push(
      "| services | resources | plan wall | plan CPU | ms/resource (CPU) | plan peak RSS | floor wall | floor CPU | ratio (CPU) | floor, declared properties CPU | ratio to it (CPU) |",
    );
    lines.push("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const x of scale) {
      lines.push(
        `| ${x.n} | ${x.plan.registrations} | ${s(x.plan.wallMs)} | ${s(x.plan.cpuMs)} | ${(x.plan.cpuMs / x.plan.registrations).toFixed(1)} | ${mb(x.plan.maxRssBytes)} | ${s(x.floor.wallMs)} | ${s(x.floor.cpuMs)} | ${(x.plan.cpuMs / x.floor.cpuMs).toFixed(2)} | ${s(x.floorDeclared.cpuMs)} | ${(x.plan.cpuMs / x.floorDeclared.cpuMs).toFixed(2)} |`,
      );
    }
    if (scale.length >= 2) {
      const a = scale[0];
      const b = scale[scale.length - 1];
      const slope = (b.plan.cpuMs - a.plan.cpuMs) / (b.plan.registrations - a.plan.registrations);
      const rssSlope = (b.plan.maxRssBytes - a.plan.maxRssBytes) / (b.plan.registrations - a.plan.registrations);
      lines.push("");
      lines.push(
        `Marginal cost between ${a.n} and ${b.n} services: ${slope.toFixed(1)} ms CPU and ${(rssSlope / 1024).toFixed(0)} KB peak RSS per resource.`,
      );
      lines.push("");
      lines.push(
        "Why the ratio grows with the resource count: every @pulumi/aws resource class hands the SDK all the " +
          "properties it declares (16.5 on average over the prod plan's types), and the SDK builds an Output for each " +
          "with four promises that each capture a formatted stack trace. The floor, as specified, registers the " +
          "plan's inputs only and skips that; in a CPU profile of the 200-service plan it is about half of all " +
          "samples. \"Floor, declared properties\" is the same floor registering each resource with its class's " +
          "declared property set (bench/declared-properties.js): what the SDK costs for these resource classes with " +
          "no program at all. The ratio to it is what the program, the mocks, the recorder and the worker add. What the " +
          "worker does to stay close to the floor: its own V8 code cache (a hit is consumed, never re-serialized) and " +
          "a lifetime stat cache, a no-op for the CLI's tracing module (OpenTelemetry is loaded only for --tracing), " +
          "V8's stack formatting instead of ts-node's source-mapped one (the SDK formats a trace per promise; " +
          "PLATFORM_PLAN_SOURCE_MAPS=1 restores mapped traces), and the program imports only awsx's ECR module.",
      );
    }
  }
  lines.push("");
  lines.push(...(await cliSection((stack) => med(floors.get(stack)!).wallMs)));
  const text = lines.join("\n") + "\n";
  fs.writeFileSync(path.join(REPO_ROOT, "BENCHMARKS.md"), text);
  process.stdout.write(text);
}

/** BENCH_ONLY=cli: re-measure only the CLI section and replace it in BENCHMARKS.md. */
async function cliOnly(): Promise<void> {
  const warm = await planStacksSettled([...STACK_ORDER]);
  const floors = new Map<string, number[]>();
  for (let rep = 0; rep < REPS; rep++) {
    for (const stack of STACK_ORDER) {
      const file = path.join(OUT_DIR, `${stack}.json`);
      fs.writeFileSync(file, serializeDeployment(must(warm, stack).deployment));
      floors.set(stack, [...(floors.get(stack) ?? []), (await floor(file)).wallMs]);
    }
  }
  const section = (await cliSection((stack) => median(floors.get(stack)!))).join("\n") + "\n";
  const file = path.join(REPO_ROOT, "BENCHMARKS.md");
  const old = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  const at = old.indexOf(CLI_HEADING);
  fs.writeFileSync(file, at >= 0 ? old.slice(0, at) + section : `${old}\n${section}`);
  process.stdout.write(section);
}
