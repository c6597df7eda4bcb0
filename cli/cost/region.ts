import { DeploymentDocument } from "./types";

/**
 * Which region's prices apply. The CLI takes, in order: `--region`, then what the deployment
 * itself says (the AWS provider's `region` input, else the region most ARNs in the resources'
 * outputs name), then `aws:region` from environments/Pulumi.<stack>.yaml. The deployment comes
 * before the config file because it is what was actually planned.
 */

const ARN_REGION = /arn:aws[a-z-]*:[a-z0-9-]+:([a-z]{2}(?:-gov)?-[a-z]+-\d):/g;

export interface RegionFinding {
  readonly region: string;
  readonly source: string;
}

export function regionFromDeployment(doc: DeploymentDocument): RegionFinding | undefined {
  const resources = doc.deployment.resources ?? [];
  // The stack's own provider is a child of the stack; a component's second provider (the edge's
  // us-east-1 one, for CloudFront's certificate and WAF) is not where the stack runs.
  const stackUrn = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn;
  const providers = resources.filter((r) => r.type === "pulumi:providers:aws");
  const ordered = [...providers.filter((r) => r.parent === stackUrn), ...providers.filter((r) => r.parent !== stackUrn)];
  for (const r of ordered) {
    {
      const region = r.inputs?.region ?? r.outputs?.region;
      if (typeof region === "string" && region !== "")
        return { region, source: `provider ${r.urn}` };
    }
  }
  const counts = new Map<string, number>();
  for (const r of resources) {
    if (!r.outputs) continue;
    for (const m of JSON.stringify(r.outputs).matchAll(ARN_REGION)) {
      counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
    }
  }
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (ranked.length === 0) return undefined;
  return {
    region: ranked[0][0],
    source: `${ranked[0][1]} of ${ranked.reduce((a, [, n]) => a + n, 0)} ARNs in the deployment's outputs`,
  };
}
