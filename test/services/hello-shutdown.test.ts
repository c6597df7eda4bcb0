import { expect } from "chai";
import { ChildProcess, spawn } from "child_process";
import * as http from "http";
import * as path from "path";

/**
 * The example service's graceful shutdown, as ECS exercises it: SIGTERM arrives while a request is
 * in flight; the service must stop accepting new connections, finish that request, and exit 0
 * well before stopTimeoutSeconds (then SIGKILL). Real process, real sockets; nothing is left
 * running (the child is killed in afterEach if a test failed half-way).
 */
const SERVER = path.join(__dirname, "..", "..", "services", "hello", "server.js");

function start(): Promise<{ child: ChildProcess; port: number; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, [SERVER], { env: { ...process.env, PORT: "0", HELLO_TEST_ENDPOINTS: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n").find((l) => l.includes('"listening"'));
      if (line) resolve({ child, port: (JSON.parse(line) as { port: number }).port, exit });
    });
    child.on("exit", (code) => reject(new Error(`hello exited early with ${code}: ${out}`)));
  });
}

function get(port: number, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path: p, agent: false }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
  });
}

describe("services/hello: graceful shutdown on SIGTERM", function () {
  this.timeout(20_000);
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });

  it("with a request in flight, finishes it, refuses new connections and exits 0", async () => {
    const s = await start();
    child = s.child;
    const slow = get(s.port, "/slow?ms=1500");
    // Let the request reach the server before the signal.
    await new Promise((r) => setTimeout(r, 300));
    const signalledAt = Date.now();
    s.child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 200));
    const refused = await get(s.port, "/health").then(
      () => "accepted",
      (e: NodeJS.ErrnoException) => e.code,
    );
    const done = await slow;
    const code = await s.exit;
    expect(done).to.deep.equal({ status: 200, body: '{"slow":1500}' });
    expect(refused).to.equal("ECONNREFUSED");
    expect(code).to.equal(0);
    // It exited after finishing the request, long before a 30 s stopTimeout.
    expect(Date.now() - signalledAt).to.be.within(900, 10_000);
  });

  it("when idle, exits 0 at once", async () => {
    const s = await start();
    child = s.child;
    expect((await get(s.port, "/health")).status).to.equal(200);
    const t = Date.now();
    s.child.kill("SIGTERM");
    expect(await s.exit).to.equal(0);
    expect(Date.now() - t).to.be.below(2_000);
  });

  it("without HELLO_TEST_ENDPOINTS, has no slow endpoint (a deployed task cannot be made to hold connections)", async () => {
    const child2 = spawn(process.execPath, [SERVER], { env: { ...process.env, PORT: "0", HELLO_TEST_ENDPOINTS: "" }, stdio: ["ignore", "pipe", "pipe"] });
    child = child2;
    const exit = new Promise<number | null>((resolve) => child2.on("exit", (code) => resolve(code)));
    const port = await new Promise<number>((resolve) => {
      let out = "";
      child2.stdout!.on("data", (c: Buffer) => {
        out += c.toString();
        const line = out.split("\n").find((l) => l.includes('"listening"'));
        if (line) resolve((JSON.parse(line) as { port: number }).port);
      });
    });
    const t = Date.now();
    const res = await get(port, "/slow?ms=5000");
    expect(Date.now() - t).to.be.below(1_000);
    expect(JSON.parse(res.body)).to.include({ service: "hello", path: "/slow" });
    child2.kill("SIGTERM");
    expect(await exit).to.equal(0);
  });
});
