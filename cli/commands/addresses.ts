import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import type { Command } from "../main";
import { emit, errorText, FlagDef, parseCommandArgs, SHARED_FLAGS } from "../contract";
import { oneOf, UsageError } from "../plan/args";
import { listStackFiles, readStackFile, REPO_ROOT } from "../evaluate/stack-config";
import { AddressPlanFinding, StackAddressing, addressingFromConfig, checkAddressPlan, orderStacks, renderAddressPlan } from "../../infra/peering/address-plan";

export const FLAGS: readonly FlagDef[] = [
  SHARED_FLAGS.root,
  { ...SHARED_FLAGS.format, help: "text (default) or json" },
  SHARED_FLAGS.out,
];

const USAGE = `Usage: platform addresses [--root DIR] [--format text|json] [--out FILE]

Print the address plan of every stack (environments/Pulumi.*.yaml): VPC and tier CIDRs, class,
peers and NACL rule slots. Fail when two stacks' VPC CIDRs overlap, when two environments take the
same NACL rule slot in the management VPC, when a peer's CIDR or class disagrees with the
peer's own stack file, or when an office range behind the VPN (platform:vpn) overlaps any VPC.

  --root DIR     repository root holding Pulumi.yaml and environments/ (default: this repository)
  --format F     text (default) or json
  --out FILE     write the plan to FILE instead of stdout (whole, and only on success)

Exit codes: 0 the plan is sound; 1 findings (printed to stderr in text format); 2 usage error.`;

/** Every stack file under `<root>/environments`, read for the address plan. */
function readAddressPlan(root: string = REPO_ROOT): StackAddressing[] {
  return orderStacks(listStackFiles(root).map((stack) => addressingFromConfig(stack, readStackFile(stack, root).config)));
}

/** The project name StackReferences use for this repository's stacks (Pulumi.yaml `name`). */
function projectName(root: string = REPO_ROOT): string {
  const file = path.join(root, "Pulumi.yaml");
  if (!fs.existsSync(file)) return "platform";
  const doc = (parseYaml(fs.readFileSync(file, "utf8")) ?? {}) as { name?: unknown };
  return typeof doc.name === "string" && doc.name !== "" ? doc.name : "platform";
}

export interface AddressPlanResult {
  readonly project: string;
  readonly stacks: readonly StackAddressing[];
  readonly findings: readonly AddressPlanFinding[];
}

/** Reads and checks the plan of a repository: what the command, the tests and CI run. */
export function addressPlanOf(root: string = REPO_ROOT): AddressPlanResult {
  const project = projectName(root);
  const stacks = readAddressPlan(root);
  return { project, stacks, findings: checkAddressPlan(stacks, project) };
}

export const command: Command = {
  summary: "Print the VPC address plan of every stack; fail on overlapping CIDRs or NACL slot clashes",
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    let root = REPO_ROOT;
    let format: "text" | "json";
    let out: string | undefined;
    try {
      const a = parseCommandArgs(argv, FLAGS);
      if (a.positionals.length > 0) throw new UsageError(`unexpected argument "${a.positionals[0]}" (addresses covers every stack)`);
      if (a.values["--root"] !== undefined) root = path.resolve(a.values["--root"]);
      format = oneOf("--format", a.values["--format"], ["text", "json"] as const, "text");
      out = a.values["--out"];
    } catch (err) {
      process.stderr.write(`platform addresses: ${errorText(err)}\n\n${USAGE}\n`);
      return 2;
    }
    if (!fs.existsSync(path.join(root, "environments"))) {
      process.stderr.write(`platform addresses: no environments/ folder in ${root}\n`);
      return 2;
    }
    let result: AddressPlanResult;
    try {
      result = addressPlanOf(root);
    } catch (err) {
      process.stderr.write(`platform addresses: ${errorText(err)}\n`);
      return 2;
    }
    const { project, stacks, findings } = result;
    let text: string;
    if (format === "json") {
      text = JSON.stringify({ project, stacks, findings }, null, 2) + "\n";
    } else {
      text = `Address plan of ${stacks.length} stacks (environments/Pulumi.*.yaml)\n\n${renderAddressPlan(stacks, project)}\n\n`;
      if (findings.length === 0) text += "OK: no overlapping VPC CIDRs; NACL rule slots unique; peers agree with their stack files.\n";
      else process.stderr.write(`${findings.length} finding${findings.length === 1 ? "" : "s"}:\n${findings.map((f) => ` - ${f.message}`).join("\n")}\n`);
    }
    try {
      emit(text, out);
    } catch (err) {
      process.stderr.write(`platform addresses: ${errorText(err)}\n`);
      return 2;
    }
    return findings.length === 0 ? 0 : 1;
  },
};
