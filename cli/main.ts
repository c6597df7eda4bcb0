/**
 * `platform <command>`: dispatches to one module per command under cli/commands/.
 *
 * Exit codes are a contract CI relies on: 0 success, 1 the check failed (mandatory policy
 * violation, address-plan overlap, …), 2 usage or evaluation error. See docs/cli.md.
 */
export interface Command {
  /** One line for `platform help`; must equal this command's entry in SUMMARIES. */
  readonly summary: string;
  /** Full usage text. */
  readonly usage: string;
  run(args: string[]): Promise<number>;
}

type Loader = () => Command;

// Commands are loaded lazily so `platform plan` does not pay for loading the policy or cost code.
export const COMMANDS: Record<string, Loader> = {
  plan: () => require("./commands/plan").command as Command,
  diff: () => require("./commands/diff").command as Command,
  check: () => require("./commands/check").command as Command,
  cost: () => require("./commands/cost").command as Command,
  review: () => require("./commands/review").command as Command,
  addresses: () => require("./commands/addresses").command as Command,
  preflight: () => require("./commands/preflight").command as Command,
  reach: () => require("./commands/reach").command as Command,
};

// `platform help` prints these without loading any command module (loading all of them costs
// more than the rest of the start); test/cli/contract.test.ts checks they equal each command's own.
export const SUMMARIES: Record<string, string> = {
  plan: "Evaluate stacks offline and write Pulumi deployment documents (.plans/<stack>.json)",
  diff: "Compare a stack's plan with a git revision's, or two plan files: create/update/replace/delete",
  check: "Run the policy pack over a stack's plan (or a deployment document); text, JSON or SARIF",
  cost: "Monthly cost estimate of a stack's plan, per resource and in total",
  review: "One PR report for every stack: changes, dangerous changes, policy, cost delta, parity, diagram",
  addresses: "Print the VPC address plan of every stack; fail on overlapping CIDRs or NACL slot clashes",
  preflight: "Check the stacks against their accounts' AWS service quotas (per account and Region)",
  reach: "Prove the stack's connectivity on its plan: every traffic intent, hop by hop",
};

export function help(): string {
  const lines = ["Usage: platform <command> [options]", "", "Commands:"];
  for (const name of Object.keys(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${SUMMARIES[name] ?? ""}`);
  lines.push(
    "",
    "Run `platform <command> --help` for a command's options. Exit codes: 0 ok, 1 check failed, 2 usage",
    "or input error. PLATFORM_DEBUG=1 shows stack traces. docs/cli.md describes the contract.",
  );
  return lines.join("\n");
}

/** A thrown error as the user sees it: the message; the stack only under PLATFORM_DEBUG=1. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return process.env.PLATFORM_DEBUG === "1" && err.stack ? err.stack : err.message;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    const topic = name === "help" ? rest[0] : undefined;
    if (topic && COMMANDS[topic]) return main([topic, "--help"]);
    process.stdout.write(help() + "\n");
    return name ? 0 : 2;
  }
  const loader = COMMANDS[name];
  if (!loader) {
    const { didYouMean } = require("./contract") as typeof import("./contract");
    const guess = didYouMean(name, Object.keys(COMMANDS));
    process.stderr.write(`platform: unknown command "${name}"${guess ? ` (did you mean "${guess}"?)` : ""}\n\n${help()}\n`);
    return 2;
  }
  try {
    const command = loader();
    if (rest.includes("--help") || rest.includes("-h")) {
      process.stdout.write(command.usage + "\n");
      return 0;
    }
    return await command.run(rest);
  } catch (err) {
    // Commands report what they expect; anything reaching here is still a one-line exit 2.
    process.stderr.write(`platform ${name}: ${describeError(err)}\n`);
    return 2;
  }
}
