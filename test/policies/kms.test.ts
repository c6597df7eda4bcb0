import { policies } from "../../policies/kms";
import { policyTests } from "./cases";

policyTests("policies/kms.ts", policies, [
  {
    policy: "kms-key-enable-rotation",
    title: "rotation is off",
    mutate: (f) => f.update("platform", (i) => (i.enableKeyRotation = false)),
    messages: ["Key rotation is off; set enableKeyRotation: true."],
  },
  {
    policy: "kms-key-configure-deletion-window",
    title: "the deletion window is 7 days",
    mutate: (f) => f.update("platform", (i) => (i.deletionWindowInDays = 7)),
    messages: ["The deletion window is 7 days; set deletionWindowInDays to at least 30."],
    level: "advisory",
  },
  {
    policy: "kms-key-require-explicit-policy",
    title: "the key has no policy",
    mutate: (f) => f.update("platform", (i) => delete i.policy),
    messages: ['Key "platform" has no explicit key policy; write one (policy or aws.kms.KeyPolicy) that names the principals and services that use it.'],
  },
  {
    policy: "kms-key-require-explicit-policy",
    title: "the key policy allows any principal",
    mutate: (f) =>
      f.update("platform", (i) => (i.policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*" }] }))),
    messages: ['Key "platform"\'s policy allows any principal ("*") without a condition; name the principals, or add a condition such as kms:CallerAccount.'],
  },
]);
