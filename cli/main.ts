/**
 * `platform <command>`: dispatches to one module per command under cli/commands/.
 *
 * Exit codes are a contract CI relies on: 0 success, 1 the check failed (mandatory policy
 * violation, address-plan overlap, …), 2 usage or evaluation error.
 */
export interface Command {
  /** One line for `platform help`. */
  readonly summary: string;
  /** Full usage text. */
  readonly usage: string;
  run(args: string[]): Promise<number>;
}

type Loader = () => Command;

// Commands are loaded lazily so `platform plan` does not pay for loading the policy or cost code.
const COMMANDS: Record<string, Loader> = {
  plan: () => require("./commands/plan").command as Command,
  diff: () => require("./commands/diff").command as Command,
  check: () => require("./commands/check").command as Command,
  cost: () => require("./commands/cost").command as Command,
  review: () => require("./commands/review").command as Command,
  addresses: () => require("./commands/addresses").command as Command,
  preflight: () => require("./commands/preflight").command as Command,
};

function help(): string {
  const lines = ["Usage: platform <command> [options]", "", "Commands:"];
  for (const name of Object.keys(COMMANDS)) {
    let summary = "";
    try {
      summary = COMMANDS[name]().summary;
    } catch {
      summary = "(not available)";
    }
    lines.push(`  ${name.padEnd(10)} ${summary}`);
  }
  lines.push("", "Run `platform <command> --help` for a command's options.");
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(help() + "\n");
    return name ? 0 : 2;
  }
  const loader = COMMANDS[name];
  if (!loader) {
    process.stderr.write(`platform: unknown command "${name}"\n\n${help()}\n`);
    return 2;
  }
  const command = loader();
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(command.usage + "\n");
    return 0;
  }
  return command.run(rest);
}
