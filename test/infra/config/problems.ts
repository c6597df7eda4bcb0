import { expect } from "chai";
import { readStackFile, toEngineConfig } from "../../../cli/evaluate/stack-config";
import { ConfigError, ConfigProblem, parseConfig } from "../../../infra/config";

/** A shipped stack file's config, edited, then parsed: the problems of its one ConfigError (none when it parses). */
export function problemsOfEditedStack(stack: string, edit: (config: Record<string, unknown>) => void): ConfigProblem[] {
  const config = structuredClone(readStackFile(stack).config);
  edit(config);
  try {
    parseConfig(stack, "platform", toEngineConfig(config));
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
}

/** The problem lines of the ConfigError that parsing `config` must throw (its message without the heading). */
export function problemLines(stack: string, config: Readonly<Record<string, string>>): string[] {
  try {
    parseConfig(stack, "platform", config);
  } catch (e) {
    expect(e).to.be.instanceOf(ConfigError);
    return (e as ConfigError).message.split("\n").slice(1);
  }
  throw new Error("expected a ConfigError");
}
