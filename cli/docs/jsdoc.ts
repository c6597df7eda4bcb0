import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

/**
 * The JSDoc of every key of a zod schema, read from the TypeScript source that declares it.
 *
 * The config schemas document their keys the way STYLE.md asks (`/** what it does. @default … *\/`
 * above each field), and that comment is what an editor shows; reading it here means the
 * generated reference and the code cannot disagree, and no text is written twice. A key's path
 * is its dotted path below the root schema, with `[]` for array items:
 * `services[].routing.hosts`, `peering.peers[].accepter.ownerId`.
 *
 * The walk follows what zod schemas are built from: `z.object/strictObject/looseObject({...})`,
 * `z.array(x)`, `z.record(k, v)` (values as `.*`), `z.union([...])`, method chains
 * (`.default()`, `.optional()`, `.prefault()`, `.refine()`, …) and identifiers bound to a
 * `const` in any of the given files. Pure apart from reading those files.
 */
export interface KeyDoc {
  /** The comment's text without tags, whitespace collapsed. */
  readonly text: string;
  /** The `@default` tag's text, if any (e.g. `- the region's first azCount AZs`). */
  readonly default?: string;
}

const OBJECT_BUILDERS = new Set(["object", "strictObject", "looseObject"]);

function collapse(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

function commentText(c: string | ts.NodeArray<ts.JSDocComment> | undefined): string {
  if (c === undefined) return "";
  if (typeof c === "string") return c;
  return c.map((part) => part.text).join("");
}

function docOf(node: ts.Node): KeyDoc | undefined {
  const docs = (node as { jsDoc?: ts.JSDoc[] }).jsDoc;
  if (!docs || docs.length === 0) return undefined;
  const doc = docs[docs.length - 1]!;
  // The prose before a Markdown table or list in the comment: a table does not fit in a cell.
  const prose = commentText(doc.comment).split(/\n\s*(?=\|)/)[0] ?? "";
  const text = collapse(prose);
  const def = doc.tags?.find((t) => t.tagName.text === "default");
  const defText = def ? collapse(commentText(def.comment)) : undefined;
  if (text === "" && defText === undefined) return undefined;
  return { text, ...(defText !== undefined ? { default: defText } : {}) };
}

/** Reads `files` and returns the JSDoc of every key below the `const` named `root`. */
export function keyDocs(files: readonly string[], root: string): Map<string, KeyDoc> {
  const consts = new Map<string, ts.Expression>();
  for (const file of files) {
    const sf = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    sf.forEachChild(function visit(node) {
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
        if (!consts.has(node.name.text)) consts.set(node.name.text, node.initializer);
      }
      node.forEachChild(visit);
    });
  }
  const out = new Map<string, KeyDoc>();
  const join = (prefix: string, key: string) => (prefix === "" ? key : `${prefix}.${key}`);
  const walk = (expr: ts.Expression, at: string, seen: ReadonlySet<string>): void => {
    if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isSatisfiesExpression(expr)) {
      return walk(expr.expression, at, seen);
    }
    if (ts.isIdentifier(expr)) {
      const init = consts.get(expr.text);
      if (init && !seen.has(expr.text)) walk(init, at, new Set([...seen, expr.text]));
      return;
    }
    if (!ts.isCallExpression(expr) || !ts.isPropertyAccessExpression(expr.expression)) return;
    const callee = expr.expression;
    const method = callee.name.text;
    const isZ = ts.isIdentifier(callee.expression) && callee.expression.text === "z";
    if (!isZ) {
      // A method chain: the schema is what it is called on (`.default(x)`, `.extend({...})`).
      walk(callee.expression, at, seen);
      if (method === "extend" && expr.arguments[0] && ts.isObjectLiteralExpression(expr.arguments[0])) {
        properties(expr.arguments[0], at, seen);
      }
      return;
    }
    const [a0, a1] = expr.arguments;
    if (OBJECT_BUILDERS.has(method) && a0 && ts.isObjectLiteralExpression(a0)) properties(a0, at, seen);
    else if (method === "array" && a0) walk(a0, `${at}[]`, seen);
    else if (method === "record" && a1) walk(a1, join(at, "*"), seen);
    else if ((method === "union" || method === "discriminatedUnion") && expr.arguments.length > 0) {
      const list = expr.arguments[expr.arguments.length - 1]!;
      if (ts.isArrayLiteralExpression(list)) for (const e of list.elements) walk(e, at, seen);
    }
  };
  const properties = (obj: ts.ObjectLiteralExpression, at: string, seen: ReadonlySet<string>): void => {
    for (const p of obj.properties) {
      if (!ts.isPropertyAssignment(p)) continue;
      const name = ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) ? p.name.text : undefined;
      if (name === undefined) continue;
      const key = join(at, name);
      const doc = docOf(p);
      if (doc) out.set(key, doc);
      walk(p.initializer, key, seen);
    }
  };
  const init = consts.get(root);
  if (!init) throw new Error(`keyDocs: no const ${root} in ${files.map((f) => path.basename(f)).join(", ")}`);
  walk(init, "", new Set([root]));
  return out;
}
