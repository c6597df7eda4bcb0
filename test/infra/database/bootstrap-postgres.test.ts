import { expect } from "chai";
import { SpawnSyncReturns, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { planBootstrapSql } from "../../../infra/database/plan";

/**
 * The bootstrap SQL run for real, twice, against a throwaway local PostgreSQL, as a master user
 * shaped like Aurora's: not a superuser, CREATEROLE, owner of the database, admin of `rds_iam`
 * (created here; Aurora provides it). Proves the script is valid SQL and idempotent, and that a
 * service user ends up able to log in and create tables in its own schema only.
 *
 * Skipped where no PostgreSQL server binaries are installed (`initdb`, `pg_ctl`, `psql`). The
 * server runs on a Unix socket in a temporary directory and is stopped in `after`.
 */
const USERS = ["svc_api", "svc_hello"];
const ENTRYPOINT = path.resolve(__dirname, "../../../services/db-bootstrap/entrypoint.sh");

function which(bin: string): string | undefined {
  const r = spawnSync("sh", ["-c", `command -v ${bin}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

describe("database bootstrap SQL against a real PostgreSQL (run twice)", function () {
  this.timeout(60_000);
  let dir: string | undefined;
  let started = false;
  const port = String(20000 + (process.pid % 20000));
  // initdb refuses to run as root; the image's postgres user runs the server then.
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const run = (bin: string, args: string[], input?: string): SpawnSyncReturns<string> =>
    asRoot
      ? spawnSync("runuser", ["-u", "postgres", "--", bin, ...args], { encoding: "utf8", input, cwd: "/" })
      : spawnSync(bin, args, { encoding: "utf8", input });
  const psql = (user: string, db: string, sql: string) => run("psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", dir as string, "-p", port, "-U", user, "-d", db, "-f", "-"], sql);
  const ok = (r: SpawnSyncReturns<string>) => {
    if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr}`);
    return r.stdout.trim();
  };

  before(function () {
    if (!which("initdb") || !which("pg_ctl") || !which("psql") || (asRoot && !which("runuser"))) this.skip();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbauth-pg-"));
    if (asRoot) spawnSync("chown", ["postgres", dir]);
    ok(run("initdb", ["-D", path.join(dir, "data"), "-A", "trust", "-U", "postgres", "--no-sync"]));
    ok(run("pg_ctl", ["-D", path.join(dir, "data"), "-l", path.join(dir, "log"), "-w", "-o", `-k ${dir} -p ${port} -c listen_addresses=''`, "start"]));
    started = true;
    ok(
      psql(
        "postgres",
        "postgres",
        [
          "CREATE ROLE rds_iam;",
          "CREATE ROLE dbmaster WITH LOGIN CREATEROLE CREATEDB;",
          "GRANT rds_iam TO dbmaster WITH ADMIN OPTION;",
          "CREATE DATABASE app OWNER dbmaster;",
        ].join("\n"),
      ),
    );
  });

  after(() => {
    if (started && dir) run("pg_ctl", ["-D", path.join(dir, "data"), "-m", "immediate", "-w", "stop"]);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("succeeds on the first run and again on the second, changing nothing the second time", () => {
    const sql = planBootstrapSql("aurora-postgresql", "app", USERS);
    const state = () =>
      ok(
        psql(
          "dbmaster",
          "app",
          "SELECT string_agg(r.rolname || ':' || r.rolcanlogin || ':' || pg_has_role(r.rolname, 'rds_iam', 'MEMBER') || ':' || n.nspname, ',' ORDER BY r.rolname) " +
            "FROM pg_roles r JOIN pg_namespace n ON n.nspname = r.rolname WHERE r.rolname LIKE 'svc\\_%';",
        ),
      );
    ok(psql("dbmaster", "app", sql));
    const first = state();
    expect(first).to.equal("svc_api:true:true:svc_api,svc_hello:true:true:svc_hello");
    ok(psql("dbmaster", "app", sql));
    expect(state()).to.equal(first);
  });

  it("lets a service user create tables in its own schema (search_path \"$user\") and not in another service's", () => {
    expect(ok(psql("svc_hello", "app", "CREATE TABLE IF NOT EXISTS greetings (id int); SELECT schemaname FROM pg_tables WHERE tablename = 'greetings';"))).to.equal("svc_hello");
    const denied = psql("svc_hello", "app", "CREATE TABLE svc_api.intruder (id int);");
    expect(denied.status).to.not.equal(0);
    expect(denied.stderr).to.include("permission denied for schema svc_api");
  });

  it("runs through the image's entrypoint (services/db-bootstrap/entrypoint.sh) with the task definition's variables, twice", () => {
    const sql = planBootstrapSql("aurora-postgresql", "app", [...USERS, "svc_worker"]);
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", DB_ENGINE: "aurora-postgresql", DB_HOST: dir as string, DB_PORT: port, DB_NAME: "app", BOOTSTRAP_SQL: sql, DB_MASTER_USERNAME: "dbmaster", DB_MASTER_PASSWORD: "unused-with-trust" };
    for (let i = 0; i < 2; i++) {
      const r = spawnSync("sh", [ENTRYPOINT], { env, encoding: "utf8" });
      expect(r.status, r.stderr).to.equal(0);
      // psql's command tags, the same on both runs: every statement succeeds again.
      const tags = ["DO", "GRANT ROLE", "GRANT", "CREATE SCHEMA", "GRANT"];
      expect(r.stdout.split("\n")).to.deep.equal([`db-bootstrap: aurora-postgresql ${dir}:${port}/app`, ...tags, ...tags, ...tags, "db-bootstrap: done", ""]);
    }
    expect(ok(psql("postgres", "app", "SELECT count(*) FROM pg_roles WHERE rolname = 'svc_worker' AND pg_has_role('svc_worker', 'rds_iam', 'MEMBER');"))).to.equal("1");
  });

  it("fails the task (psql exit 3) on the first failing statement, and exit 2 on an unknown engine", () => {
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", DB_ENGINE: "aurora-postgresql", DB_HOST: dir as string, DB_PORT: port, DB_NAME: "app", BOOTSTRAP_SQL: "GRANT nosuchrole TO svc_api;", DB_MASTER_USERNAME: "dbmaster", DB_MASTER_PASSWORD: "x" };
    const failed = spawnSync("sh", [ENTRYPOINT], { env, encoding: "utf8" });
    expect(failed.status).to.equal(3);
    expect(failed.stderr).to.include('role "nosuchrole" does not exist');
    const unknown = spawnSync("sh", [ENTRYPOINT], { env: { ...env, DB_ENGINE: "oracle-ee" }, encoding: "utf8" });
    expect([unknown.status, unknown.stderr]).to.deep.equal([2, "db-bootstrap: unknown DB_ENGINE oracle-ee\n"]);
  });

  it("gives service users no password (they can only log in with IAM tokens on Aurora)", () => {
    expect(ok(psql("postgres", "app", "SELECT count(*) FROM pg_authid WHERE rolname LIKE 'svc\\_%' AND rolpassword IS NOT NULL;"))).to.equal("0");
  });
});
