import { policies } from "../../policies/tagging";
import { policyTests } from "./cases";

policyTests("policies/tagging.ts", policies, [
  {
    policy: "aws-resource-require-tags",
    title: "a resource is created through a provider without default tags",
    mutate: (f) => {
      const bare = f.add("pulumi:providers:aws", "bare", { region: "ap-northeast-2" }, { custom: true });
      f.add("aws:kms/key:Key", "untagged", { enableKeyRotation: true, policy: JSON.stringify({ Statement: [] }) }, { provider: bare });
    },
    messages: ["Missing tag(s) Project, Environment, ManagedBy; set them once in the provider's defaultTags."],
    level: "advisory",
  },
]);
