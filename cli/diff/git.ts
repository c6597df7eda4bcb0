import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * A throwaway copy of the repository at a git revision, for `platform diff --base <ref>`.
 *
 * `git archive | tar -x` rather than `git worktree add`: the copy needs no entry in .git (other
 * people commit in this checkout concurrently, and an interrupted run would leave a stale worktree
 * registered). node_modules is a symlink to the working tree's, so nothing is installed; Node
 * resolves the symlink to the same files, so the base program and the plan worker share one
 * @pulumi/pulumi.
 */
export function resolveRevision(root: string, ref: string): string {
  try {
    return execFileSync("git", ["-C", root, "rev-parse", "--verify", "--quiet", `${ref}^{commit}`], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    }).trim();
  } catch {
    throw new Error(`"${ref}" is not a commit in ${root} (git rev-parse --verify ${ref}^{commit} failed)`);
  }
}

function extract(root: string, sha: string, dest: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const git = spawn("git", ["-C", root, "archive", "--format=tar", sha], { stdio: ["ignore", "pipe", "pipe"] });
    const tar = spawn("tar", ["-x", "-C", dest], { stdio: ["pipe", "ignore", "pipe"] });
    let err = "";
    git.stderr.on("data", (b: Buffer) => (err += b.toString()));
    tar.stderr.on("data", (b: Buffer) => (err += b.toString()));
    git.stdout.pipe(tar.stdin);
    let pending = 2;
    const done = (what: string) => (code: number | null) => {
      if (code !== 0) return reject(new Error(`${what} exited with ${code}: ${err.trim()}`));
      if (--pending === 0) resolve();
    };
    git.on("close", done("git archive"));
    tar.on("close", done("tar"));
    git.on("error", reject);
    tar.on("error", reject);
  });
}

export async function withRevision<T>(root: string, ref: string, fn: (dir: string, sha: string) => Promise<T>): Promise<T> {
  const sha = resolveRevision(root, ref);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "platform-diff-"));
  const dir = path.join(tmp, "tree");
  fs.mkdirSync(dir);
  const link = path.join(dir, "node_modules");
  try {
    await extract(root, sha, dir);
    fs.symlinkSync(path.join(root, "node_modules"), link, "dir");
    return await fn(dir, sha);
  } finally {
    // Unlink the symlink first, so the recursive removal can never reach the real node_modules.
    if (fs.existsSync(link) && fs.lstatSync(link).isSymbolicLink()) fs.unlinkSync(link);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
