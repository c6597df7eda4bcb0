import type { DeploymentDocument, DeploymentResource } from "../../cli/cost/types";

/**
 * Small hand-made deployment documents for the counters' and rules' unit tests: resources of one
 * stack `t`, under one AWS provider with an allowed account.
 */
export const STACK_URN = "urn:pulumi:t::platform::pulumi:pulumi:Stack::platform-t";

let seq = 0;

/** A custom resource of stack `t`; its id is unique unless `extra.id` says otherwise. */
export function res(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<DeploymentResource> = {}): DeploymentResource {
  return { urn: `urn:pulumi:t::platform::${type}::${name}`, type, custom: true, id: extra.id ?? `${name}-id-${seq++}`, inputs, outputs: {}, parent: STACK_URN, ...extra };
}

/** The stack, its AWS provider in `region` (account 111111111111) and the resources under it. */
export function documentIn(region: string, ...resources: DeploymentResource[]): DeploymentDocument {
  const provider = res("pulumi:providers:aws", "aws", { region, allowedAccountIds: ["111111111111"] }, { id: "p1" });
  const stack: DeploymentResource = { urn: STACK_URN, type: "pulumi:pulumi:Stack", custom: false };
  return { version: 3, deployment: { resources: [stack, provider, ...resources.map((r) => ({ provider: `${provider.urn}::p1`, ...r }))] } };
}
