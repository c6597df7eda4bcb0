import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const REPO = path.join(__dirname, "..", "..");

/** Tracked files plus new ones not yet committed (so a new doc is checked before its commit). */
function repoFiles(...patterns: string[]): string[] {
  const run = (args: string[]) =>
    execFileSync("git", args, { cwd: REPO, encoding: "utf8" })
      .split("\n")
      .filter((f) => f !== "");
  const files = new Set([...run(["ls-files", "--", ...patterns]), ...run(["ls-files", "--others", "--exclude-standard", "--", ...patterns])]);
  return [...files].filter((f) => fs.existsSync(path.join(REPO, f))).sort();
}

/** Markdown without fenced code blocks and inline code spans, where a `[x](y)` is not a link. */
function proseOf(markdown: string): string {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split("\n")) {
    const m = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (m) {
      if (fence === undefined) fence = m[1]![0]!;
      else if (m[1]![0] === fence) fence = undefined;
      out.push("");
      continue;
    }
    out.push(fence === undefined ? line.replace(/(`+)(?:(?!\1).)+?\1/g, "") : "");
  }
  return out.join("\n");
}

/** Link targets: inline links and images `[t](target "title")`, and reference definitions `[t]: target`. */
export function linkTargets(markdown: string): string[] {
  const prose = proseOf(markdown);
  const targets: string[] = [];
  for (const m of prose.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(m[1]!);
  for (const m of prose.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)) targets.push(m[1]!);
  return targets;
}

/**
 * GitHub's heading anchors (github-slugger): the heading's text without Markdown, lower-cased,
 * punctuation other than `-` and `_` removed, spaces turned into `-`; a repeated slug gets `-1`,
 * `-2`, … in order.
 */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | undefined;
  for (const line of markdown.split("\n")) {
    const f = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (f) {
      if (fence === undefined) fence = f[1]![0]!;
      else if (f[1]![0] === fence) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const h = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const text = h[1]!
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
      .replace(/<[^>]+>/g, "")
      .replace(/[`*]/g, "");
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
      .replace(/ /g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  // Explicit anchors: <a name="x"> / id="x".
  for (const m of markdown.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(m[1]!);
  return anchors;
}

/** Problems with one relative link from `from` (a repository path); [] when it resolves. */
function checkLink(from: string, target: string): string[] {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return []; // https:, mailto:, …
  const [rawPath, anchor] = target.split("#", 2) as [string, string | undefined];
  const filePart = decodeURIComponent(rawPath.split("?")[0]!);
  const resolved = filePart === "" ? from : path.posix.normalize(path.posix.join(path.posix.dirname(from), filePart));
  if (resolved.startsWith("../") || path.posix.isAbsolute(resolved)) return [`${from}: ${target} points outside the repository`];
  const abs = path.join(REPO, resolved);
  if (!fs.existsSync(abs)) {
    return [`${from}: ${target} does not exist (resolved to ${resolved})`];
  }
  if (anchor !== undefined && anchor !== "" && resolved.endsWith(".md")) {
    if (!headingAnchors(fs.readFileSync(abs, "utf8")).has(anchor.toLowerCase())) {
      return [`${from}: ${target}: ${resolved} has no heading with anchor #${anchor}`];
    }
  }
  return [];
}

describe("documentation links", () => {
  it("every relative link in every Markdown file resolves, anchors included", () => {
    const files = repoFiles("*.md");
    expect(files).to.include("README.md");
    const problems = files.flatMap((f) => linkTargets(fs.readFileSync(path.join(REPO, f), "utf8")).flatMap((t) => checkLink(f, t)));
    expect(problems).to.deep.equal([]);
  });

  it("every repository path named in a stack file's comments exists (docs, infra, policies, cli, test)", () => {
    const files = repoFiles("environments/*.yaml", "Pulumi.yaml");
    expect(files).to.include("environments/Pulumi.dev.yaml");
    const problems: string[] = [];
    for (const f of files) {
      for (const line of fs.readFileSync(path.join(REPO, f), "utf8").split("\n")) {
        const comment = line.slice(line.indexOf("#") + 1);
        if (!line.includes("#")) continue;
        // Paths are repository-relative in these comments (a reader opens them from the root).
        for (const m of comment.matchAll(/(?<![\w/.-])((?:docs|infra|policies|cli|test)\/[\w./-]+\.(?:md|ts|json))(#[\w-]+)?/g)) {
          problems.push(...checkLink("README.md", `${m[1]}${m[2] ?? ""}`).map((p) => p.replace(/^README\.md/, f)));
        }
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it("finds GitHub's anchors and the links that need checking", () => {
    expect([...headingAnchors("# `platform:network`\n## What it builds\n## What it builds\n```\n# not a heading\n```\n### ec2-vpc-require-flow-logs")]).to.deep.equal([
      "platformnetwork",
      "what-it-builds",
      "what-it-builds-1",
      "ec2-vpc-require-flow-logs",
    ]);
    expect(linkTargets('[a](docs/x.md#y) ![i](img.png "t") `[no](code.md)`\n```\n[no](fenced.md)\n```\n[ref]: other.md')).to.deep.equal([
      "docs/x.md#y",
      "img.png",
      "other.md",
    ]);
  });
});
