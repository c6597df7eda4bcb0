import { Policies } from "@pulumi/policy";
import { resourcePolicy, stackPolicy } from "./lib/define";
import { describe, prop } from "./lib/graph";
import { statementsOr } from "./lib/iam";
import { T } from "./lib/types";
import { forEachKnown } from "./lib/unknowns";

/** KMS customer-managed keys. */

export const keyEnableRotation = resourcePolicy({
  name: "kms-key-enable-rotation",
  description: "Symmetric customer-managed keys must rotate automatically.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "medium",
  catalog: ["85"],
  types: [T.kmsKey],
  validate: (r, report) => {
    const spec = r.props.customerMasterKeySpec ?? r.props.keySpec;
    if (spec !== undefined && spec !== null && spec !== "SYMMETRIC_DEFAULT") return; // asymmetric/HMAC keys cannot rotate
    if (r.props.enableKeyRotation !== true) report("Key rotation is off; set enableKeyRotation: true.");
  },
});

export const keyConfigureDeletionWindow = resourcePolicy<{ minimumDeletionWindowDays: number }>({
  name: "kms-key-configure-deletion-window",
  description: "Keys should stay enabled and keep a long deletion window, so a mistaken deletion can be cancelled.",
  enforcementLevel: "advisory",
  category: "reliability",
  severity: "low",
  catalog: ["87"],
  configSchema: { properties: { minimumDeletionWindowDays: { type: "integer", minimum: 7, maximum: 30, default: 30 } } },
  defaults: { minimumDeletionWindowDays: 30 },
  types: [T.kmsKey],
  validate: (r, report) => {
    if (r.props.isEnabled === false) report("The key is disabled; everything encrypted with it is unreadable. Enable it or remove it.");
    // AWS's default window is 30 days.
    const days = typeof r.props.deletionWindowInDays === "number" ? r.props.deletionWindowInDays : 30;
    if (days < r.config.minimumDeletionWindowDays) {
      report(`The deletion window is ${days} days; set deletionWindowInDays to at least ${r.config.minimumDeletionWindowDays}.`);
    }
  },
});

export const keyRequireExplicitPolicy = stackPolicy({
  name: "kms-key-require-explicit-policy",
  description: "Every customer-managed key must have an explicit key policy that grants nothing to an unconditioned \"*\" principal.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["86", "X15"],
  appliesTo: [T.kmsKey],
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.kmsKey), (key) => {
      const docs = [prop(key, "policy"), ...graph.referrers(key, T.kmsKeyPolicy, "keyId").map((kp) => prop(kp, "policy"))].filter(
        (d) => typeof d === "string" && d !== "",
      );
      if (docs.length === 0) {
        report(`${describe(key)} has no explicit key policy; write one (policy or aws.kms.KeyPolicy) that names the principals and services that use it.`, key.urn);
        return;
      }
      for (const doc of docs) {
        const statements = statementsOr(doc, (reason) => report(`${describe(key)}'s policy ${reason}; write it with JSON.stringify.`, key.urn));
        for (const st of statements) {
          if (st.effect === "Allow" && st.anyPrincipal && Object.keys(st.condition).length === 0) {
            report(`${describe(key)}'s policy allows any principal ("*") without a condition; name the principals, or add a condition such as kms:CallerAccount.`, key.urn);
          }
        }
      }
    });
  },
});

export const policies: Policies = [keyEnableRotation, keyConfigureDeletionWindow, keyRequireExplicitPolicy];
