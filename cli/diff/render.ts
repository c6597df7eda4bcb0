import { PropertyValue, UNKNOWN_VALUE } from "../plan/deployment";
import { isSecretValue } from "../evaluate/property-values";
import { parseUrn } from "../evaluate/urn";
import { DiffResult, PropertyChange, ResourceChange } from "./engine";

/**
 * Renderings of a DiffResult: text (terminal), md (PR comment), json (the stable format the review
 * report consumes, documented in docs/diff-format.md). Pure.
 */

/** The CLI's display prefixes (pkg/resource/deploy/step.go `RawPrefix`). */
export const PREFIX: Record<ResourceChange["op"], string> = { create: "+ ", delete: "- ", update: "~ ", replace: "+-" };

const MAX_VALUE = 100;

export function formatValue(v: PropertyValue | undefined, computedFrom?: string): string {
  if (v === undefined) return "(none)";
  if (v === UNKNOWN_VALUE) return computedFrom ? `(known after ${parseUrn(computedFrom).name} is created or replaced)` : "(unknown)";
  if (isSecretValue(v)) return "[secret]";
  const s = JSON.stringify(v);
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}

function propertyLine(p: PropertyChange): string {
  const marker = p.kind.startsWith("add") ? "+" : p.kind.startsWith("delete") ? "-" : "~";
  const value =
    p.kind.startsWith("add")
      ? formatValue(p.new, p.computedFrom)
      : p.kind.startsWith("delete")
        ? formatValue(p.old)
        : `${formatValue(p.old)} => ${formatValue(p.new, p.computedFrom)}`;
  const forces = p.kind.endsWith("-replace") ? "  [forces replacement]" : "";
  return `${marker} ${p.path}: ${value}${forces}`;
}

function summaryLine(d: DiffResult): string {
  const s = d.summary;
  const parts = [
    `${s.create} to create`,
    `${s.update} to update`,
    `${s.replace} to replace`,
    `${s.delete} to delete`,
    `${s.same} unchanged`,
  ];
  if (d.mayReplace > 0) parts.push(`${d.mayReplace} update(s) may replace (type not in the replace table)`);
  return parts.join(", ");
}

function changeHeader(c: ResourceChange): string {
  const flags: string[] = [];
  if (c.op === "replace" && c.replaceReasons.length > 0) flags.push(`replace: ${c.replaceReasons.join(", ")}`);
  if (c.providerReplaced) flags.push("provider replaced");
  if (c.deleteBeforeReplace) flags.push("delete before replace");
  else if (c.replaceOrder === "create-before-replace") flags.push("create before replace");
  if (c.engineOp) flags.push(`engine op: ${c.engineOp}`);
  if (c.mayReplace) flags.push("may replace");
  if (c.protect) flags.push("protected");
  return `${PREFIX[c.op]} ${c.type}  ${c.name}${flags.length > 0 ? `  (${flags.join("; ")})` : ""}`;
}

function renameHint(c: ResourceChange): string | undefined {
  if (c.renamedFrom) {
    const from = parseUrn(c.renamedFrom);
    return (
      `looks like ${from.name} renamed or moved: add \`aliases: [{ name: "${from.name}" }]\` (or the old parent) ` +
      `to the new resource's options and Pulumi will update it instead of deleting and recreating it`
    );
  }
  if (c.renamedTo) return `probably renamed to ${parseUrn(c.renamedTo).name} (see the create)`;
  return undefined;
}

export function renderText(d: DiffResult): string {
  const lines: string[] = [];
  lines.push(`Diff${d.stack ? ` for stack ${d.stack}` : ""}: ${d.base} -> ${d.head}`);
  lines.push(`  ${summaryLine(d)}`);
  lines.push("  (every resource Pulumi manages; reads such as StackReferences are never created or changed, so not compared)");
  if (d.dangers.length > 0) {
    lines.push("");
    lines.push(`DANGEROUS CHANGES (${d.dangers.length}):`);
    for (const x of d.dangers) lines.push(`  !! ${PREFIX[x.op]} ${x.type}  ${x.name}: ${x.reason}`);
  }
  if (d.changes.length > 0) {
    lines.push("");
    lines.push("Changes:");
    for (const c of d.changes) {
      lines.push(`  ${changeHeader(c)}`);
      for (const p of c.properties) lines.push(`        ${propertyLine(p)}`);
      const hint = renameHint(c);
      if (hint) lines.push(`        hint: ${hint}`);
    }
  } else {
    lines.push("");
    lines.push("No resource changes.");
  }
  if (d.outputs.length > 0) {
    lines.push("");
    lines.push("Stack outputs:");
    for (const o of d.outputs) {
      const v = o.kind === "add" ? formatValue(o.new) : o.kind === "delete" ? formatValue(o.old) : `${formatValue(o.old)} => ${formatValue(o.new)}`;
      lines.push(`  ${o.kind === "add" ? "+" : o.kind === "delete" ? "-" : "~"} ${o.key}: ${v}`);
    }
  }
  for (const n of d.notes) lines.push("", `Note: ${n}`);
  return lines.join("\n") + "\n";
}

function mdEscape(s: string): string {
  return s.replace(/\|/g, "\\|");
}

export function renderMarkdown(d: DiffResult): string {
  const s = d.summary;
  const lines: string[] = [];
  lines.push(`### Offline plan diff${d.stack ? `: \`${d.stack}\`` : ""}`);
  lines.push("");
  lines.push(`\`${d.base}\` → \`${d.head}\``);
  lines.push("");
  lines.push("| create | update | replace | delete | unchanged |");
  lines.push("|---:|---:|---:|---:|---:|");
  lines.push(`| ${s.create} | ${s.update} | ${s.replace} | ${s.delete} | ${s.same} |`);
  if (d.dangers.length > 0) {
    lines.push("");
    lines.push(`**:warning: ${d.dangers.length} dangerous change(s)**`);
    lines.push("");
    for (const x of d.dangers) lines.push(`- :warning: \`${x.op}\` \`${x.type}\` **${mdEscape(x.name)}**: ${mdEscape(x.reason)}`);
  }
  if (d.mayReplace > 0) {
    lines.push("");
    lines.push(`${d.mayReplace} update(s) are on types missing from the replace table: the provider may replace them.`);
  }
  if (d.changes.length > 0) {
    lines.push("");
    lines.push(`<details><summary>${d.changes.length} resource change(s)</summary>`);
    lines.push("");
    lines.push("```diff");
    for (const c of d.changes) {
      // ```diff colours lines by their first character, as Atlantis does for plans.
      const lead = c.op === "create" ? "+" : c.op === "delete" ? "-" : c.op === "replace" ? "!" : "~";
      lines.push(`${lead} ${changeHeader(c).slice(2).trimStart()}`);
      for (const p of c.properties) lines.push(`      ${propertyLine(p)}`);
      const hint = renameHint(c);
      if (hint) lines.push(`      hint: ${hint}`);
    }
    lines.push("```");
    lines.push("");
    lines.push("</details>");
  }
  if (d.outputs.length > 0) {
    lines.push("");
    lines.push(`Stack outputs changed: ${d.outputs.map((o) => `\`${o.key}\``).join(", ")}`);
  }
  for (const n of d.notes) lines.push("", `<sub>${n}</sub>`);
  return lines.join("\n") + "\n";
}

export function renderJson(d: DiffResult): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}
