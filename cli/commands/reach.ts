import type { Command } from "../main";
import { emit, errorText, FlagDef, parseCommandArgs, resolveStack, SHARED_FLAGS } from "../contract";
import { readStackInputFor } from "../input";
import { UsageError, oneOf } from "../plan/args";
import { isShippedStack, MANAGEMENT_STACK } from "../../infra/stacks";
import { Endpoint, FlowResult, evaluateFlow, placements } from "../reach/evaluate";
import { EndRef } from "../reach/intents";
import { NetNode, NetworkModel, nameOfUrn } from "../reach/model";
import { QueryAnswer, queryText, toJson, toText } from "../reach/render";
import { ReachDocument, reach } from "../reach";

const FORMATS = ["text", "json"] as const;

const USAGE = `Usage: platform reach <stack> [--plan FILE] [--shared-plan FILE] [--format text|json] [--out FILE]
       platform reach <stack> --from <name> --to <name> --port N [--plan FILE] [--shared-plan FILE]

Proves the stack's connectivity on its plan, before anything is deployed: every traffic intent the
architecture implies (internet → ALB listeners, ALB → each service in every AZ pair, services and
the database bootstrap task → database, interface endpoints, S3 and NAT; bastions → database across
the peering; and everything that must stay closed) is evaluated hop by hop under AWS's rules for security groups, network ACLs,
route tables, NAT, internet gateways, VPC peering and endpoints. See docs/reach.md.

Without --plan the stack is planned first (and \`shared\`, which environments peer with). With
--plan, pass the management stack's document with --shared-plan for the cross-stack intents.
Both take any plan format: an offline plan, \`pulumi stack export\`, or a
\`pulumi preview --json --show-sames\` digest (docs/inputs.md). --out FILE writes the report there.

Query mode explains one flow: --from/--to take a resource's logical name (prod-alb-lb,
prod-svc-hello-service, prod-db-cluster, prod-ecr-api, shared-bastion-asg), a short name
(alb, service:hello, task:db-bootstrap, database, endpoint:ecr.api, bastion), "internet" / "s3",
or, as a source, "office:<name>" (an office behind the management stack's VPN, docs/vpn.md).

Exit codes: 0 every intent holds, 1 at least one does not, 2 usage or evaluation error.`;

export const FLAGS: readonly FlagDef[] = [
  SHARED_FLAGS.plan,
  { flag: "--shared-plan", value: "FILE", help: "the management (shared) stack's plan, for the cross-stack intents" },
  { ...SHARED_FLAGS.format, help: "text (default) or json" },
  SHARED_FLAGS.out,
  { flag: "--from", value: "NAME", help: "query mode: the flow's source" },
  { flag: "--to", value: "NAME", help: "query mode: the flow's destination" },
  { flag: "--port", value: "N", help: "query mode: the TCP port" },
];

export interface ReachArgs {
  readonly stack: string;
  readonly plan?: string;
  readonly sharedPlan?: string;
  readonly format: (typeof FORMATS)[number];
  readonly query?: { readonly from: string; readonly to: string; readonly port: number };
  readonly out?: string;
}

export function parseReachArgs(argv: readonly string[]): ReachArgs {
  const p = parseCommandArgs(argv, FLAGS);
  if (p.positionals.length !== 1) throw new UsageError(p.positionals.length === 0 ? "missing <stack>" : `expected one stack, got ${p.positionals.join(" ")}`);
  const format = oneOf("--format", p.values["--format"], FORMATS, "text");
  const q = ["--from", "--to", "--port"].filter((f) => f in p.values);
  if (q.length > 0 && q.length < 3) throw new UsageError(`query mode needs --from, --to and --port together (missing ${["--from", "--to", "--port"].filter((f) => !q.includes(f)).join(", ")})`);
  let query: ReachArgs["query"];
  if (q.length === 3) {
    const port = Number(p.values["--port"]);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a TCP port 0..65535, got "${p.values["--port"]}"`);
    query = { from: p.values["--from"], to: p.values["--to"], port };
  }
  return {
    // With --plan the document names its stack (checked against it when read); without, it is planned.
    stack: p.values["--plan"] === undefined ? resolveStack(p.positionals[0]) : p.positionals[0],
    format,
    ...(p.values["--out"] !== undefined ? { out: p.values["--out"] } : {}),
    ...(p.values["--plan"] ? { plan: p.values["--plan"] } : {}),
    ...(p.values["--shared-plan"] ? { sharedPlan: p.values["--shared-plan"] } : {}),
    ...(query ? { query } : {}),
  };
}

export class ReachError extends Error {}

/** Any plan format (docs/inputs.md); a plan of another stack than `stack` is refused. */
function readDocument(file: string, flag: string, stack: string): ReachDocument {
  return readStackInputFor(file, stack, {}, flag).deployment as unknown as ReachDocument;
}

/** The documents to evaluate: the stack's, then the management stack's when it has one. */
export async function loadDocuments(args: ReachArgs): Promise<ReachDocument[]> {
  if (args.plan) {
    const doc = readDocument(args.plan, "--plan", args.stack);
    // The management stack peers with no one: its own plan is all there is.
    const peer = args.sharedPlan !== undefined && args.stack !== MANAGEMENT_STACK;
    return peer ? [doc, readDocument(args.sharedPlan!, "--shared-plan", MANAGEMENT_STACK)] : [doc];
  }
  if (!isShippedStack(args.stack)) {
    throw new UsageError(`"${args.stack}" is not a shipped stack (see infra/stacks.ts); pass --plan FILE to check a deployment document`);
  }
  const { planStacksSettled, PlanError, isStackPlan } = await import("../plan/planner");
  const stacks = args.stack === MANAGEMENT_STACK ? [args.stack] : [args.stack, MANAGEMENT_STACK];
  const plans = await planStacksSettled(stacks);
  const docs: ReachDocument[] = [];
  for (const s of stacks) {
    const p = plans.get(s);
    if (!p || !isStackPlan(p)) throw new PlanError(p && !isStackPlan(p) ? [p] : []);
    docs.push(p.deployment as ReachDocument);
  }
  if (args.sharedPlan) docs.splice(1, docs.length - 1, readDocument(args.sharedPlan, "--shared-plan", MANAGEMENT_STACK));
  return docs;
}

/** Finds a node by logical name, short name or key; "did you mean" otherwise. */
export function findNode(m: NetworkModel, name: string): NetNode {
  const candidates = m.nodes.map((n) => ({ n, names: [nameOfUrn(n.urn), n.key, n.key.split(":")[0], ...n.parts.map(nameOfUrn)] }));
  const exact = candidates.filter((c) => c.names.includes(name));
  if (exact.length >= 1) return exact[0].n;
  const all = candidates.map((c) => nameOfUrn(c.n.urn));
  const near = all.filter((a) => a.includes(name) || name.includes(a.split("-").pop() ?? a));
  throw new UsageError(`no resource named "${name}" in the plan${near.length ? `; did you mean ${near.map((x) => `"${x}"`).join(", ")}?` : ""} (known: internet, s3, ${all.join(", ")})`);
}

function ends(m: NetworkModel, name: string): Endpoint[] {
  if (name === "internet") return [{ kind: "internet" }];
  if (name === "s3") return [{ kind: "service", service: "s3", label: "S3 (gateway endpoint)" }];
  if (name.startsWith("office:")) return officeEnds(m, name.slice("office:".length));
  const node = findNode(m, name);
  const ps = placements(m, node);
  if (ps.length === 0) throw new ReachError(`${node.label}: its subnets are not known in the plan`);
  return ps.map((p) => ({ kind: "node", node, subnetId: p.subnetId }));
}

/** An office behind a site-to-site VPN connection (its `Office` tag): one end per office range. */
function officeEnds(m: NetworkModel, office: string): Endpoint[] {
  const conns = [...m.vpnConnections.values()];
  const conn = conns.find((c) => c.office === office);
  if (!conn) {
    const known = conns.map((c) => c.office).filter((o): o is string => o !== undefined);
    throw new UsageError(`no VPN connection for office "${office}" in the plans (known offices: ${known.join(", ") || "none"}; pass the management stack's plan with --shared-plan)`);
  }
  if (conn.officeCidrs.length === 0) throw new ReachError(`VPN connection ${conn.name} has no OfficeCidrs tag: its office ranges are not known`);
  return conn.officeCidrs.map((cidr) => ({ kind: "office", cidr, label: `office ${office}`, connectionId: conn.id }));
}

function ref(m: NetworkModel, e: Endpoint): EndRef {
  if (e.kind !== "node") return { label: e.kind === "internet" ? "internet" : e.label };
  const s = m.subnets.get(e.subnetId);
  return { label: e.node.label, urn: e.node.urn, ...(s && typeof s.az === "string" ? { az: s.az } : {}) };
}

export async function runReach(args: ReachArgs): Promise<{ output: string; code: number }> {
  const { architectureFor } = await import("../reach/architecture");
  const docs = await loadDocuments(args);
  const { model, report } = reach(architectureFor(args.stack, docs[0], docs.slice(1)), docs);
  if (args.query) {
    const q = args.query;
    const answers: QueryAnswer[] = [];
    for (const from of ends(model, q.from)) {
      for (const to of ends(model, q.to)) {
        const result: FlowResult = evaluateFlow(model, { from, to, port: q.port });
        answers.push({ from: ref(model, from), to: ref(model, to), port: q.port, result });
      }
    }
    const output = args.format === "json" ? JSON.stringify({ stack: args.stack, flows: answers.map((a) => ({ from: a.from, to: a.to, protocol: "tcp", port: a.port, ...a.result })) }, null, 2) + "\n" : queryText(answers);
    return { output, code: answers.every((a) => a.result.result === "allow") ? 0 : 1 };
  }
  return { output: args.format === "json" ? toJson(report) : toText(report), code: report.summary.broken > 0 ? 1 : 0 };
}

export const command: Command = {
  summary: "Prove the stack's connectivity on its plan: every traffic intent, hop by hop",
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    let args: ReachArgs;
    try {
      args = parseReachArgs(argv);
    } catch (e) {
      process.stderr.write(`platform reach: ${errorText(e)}\n${e instanceof UsageError ? `\n${USAGE}\n` : ""}`);
      return 2;
    }
    try {
      const { output, code } = await runReach(args);
      emit(output, args.out);
      return code;
    } catch (e) {
      // Usage, input, plan and config errors are one line; a stack trace only under PLATFORM_DEBUG=1.
      process.stderr.write(`platform reach: ${errorText(e)}\n`);
      return 2;
    }
  },
};
