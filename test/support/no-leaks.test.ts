import { expect } from "chai";
import { spawn } from "child_process";
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const REPO = path.join(__dirname, "..", "..");

/** PIDs of running processes whose environment holds `marker` (children inherit the environment). */
function processesWithMarker(marker: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/environ`, "latin1").includes(marker)) found.push(Number(entry));
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) Z/.test(stat); // a zombie has exited; only its parent's wait is missing
  } catch {
    return false;
  }
}

async function waitUntil(done: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

describe("test suite hygiene: no process outlives a mocha run", function () {
  this.timeout(300_000);

  it("under --parallel, each worker shares one policy pack across its files, and no process survives the run", async function () {
    if (process.platform !== "linux") this.skip();
    const marker = `PLATFORM_LEAK_MARK=${randomUUID()}`;
    const pidsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "no-leaks-")), "pids");
    fs.writeFileSync(pidsFile, "");
    // Three files on two workers: at least one worker runs two files, the case that used to leak.
    const fixtures = ["first", "second", "third"].map((f) => path.join(REPO, "test", "fixtures", "leaks", `${f}.fixture.ts`));
    const mocha = path.join(REPO, "node_modules", "mocha", "bin", "mocha.js");
    const args = [mocha, "--no-config", "-r", "ts-node/register/transpile-only", "--extension", "ts", "--parallel", "--jobs", "2", "--timeout", "180000", ...fixtures];
    const [name, value] = marker.split("=") as [string, string];
    const child = spawn(process.execPath, args, { cwd: REPO, env: {
        ...process.env,
        [name]: value,
        PLATFORM_LEAK_PIDS: pidsFile,
        PLATFORM_TEST_POLICY_PACK_DIR: path.join(REPO, "test", "fixtures", "leaks", "pack"),
      }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code, output).to.equal(0);

    // `<file> <worker pid> <pack pids>` per file: one pack per worker, whatever number of files it ran.
    const lines = fs.readFileSync(pidsFile, "utf8").trim().split("\n").map((l) => l.split(" ") as [string, string, string]);
    expect(lines.map((l) => l[0]).sort()).to.deep.equal(["first", "second", "third"]);
    const packsByWorker = new Map<string, Set<string>>();
    for (const [, worker, packs] of lines) {
      expect(packs, `worker ${worker} had ${packs || "no"} packs running`).to.match(/^\d+$/);
      packsByWorker.set(worker, (packsByWorker.get(worker) ?? new Set()).add(packs));
    }
    for (const [worker, packs] of packsByWorker) expect([...packs], `packs of worker ${worker}`).to.have.length(1);
    expect(packsByWorker.size).to.be.at.most(2);
    const packPids = [...packsByWorker.values()].flatMap((p) => [...p]).map(Number);

    // After the run: the packs and every other process started under the run are gone.
    expect(await waitUntil(() => packPids.every((p) => !alive(p)), 10_000), `policy packs still running: ${packPids.filter(alive).join(", ")}`).to.equal(true);
    expect(await waitUntil(() => processesWithMarker(marker).filter(alive).length === 0, 10_000)).to.equal(true, `still running: ${processesWithMarker(marker).join(", ")}`);
    fs.rmSync(path.dirname(pidsFile), { recursive: true, force: true });
  });
});
