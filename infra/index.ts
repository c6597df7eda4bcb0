// Placeholder entry point: replaced by the foundation work (config → network → bastion → …).
import * as pulumi from "@pulumi/pulumi";

export = async (): Promise<Record<string, pulumi.Input<unknown>>> => {
  return { stack: pulumi.getStack() };
};
