import { Policies } from "@pulumi/policy";
import { resourcePolicy, stackPolicy } from "./lib/define";
import { Resource, StackGraph, describe, prop } from "./lib/graph";
import { conditionKeys, statementsOr } from "./lib/iam";
import { list, obj } from "./lib/props";
import { T } from "./lib/types";
import { forEachKnown, peek } from "./lib/unknowns";

/**
 * S3 (the ALB access-log bucket and any other log bucket). With @pulumi/aws v7 a bucket's
 * settings are separate resources pointing at it through `bucket`, so these are stack policies
 * joining each bucket to its settings through propertyDependencies.
 */

function settings(graph: StackGraph, bucket: Resource, types: string | readonly string[]): Resource[] {
  return graph.referrers(bucket, types, "bucket");
}

export const bucketRequirePublicAccessBlock = stackPolicy({
  name: "s3-bucket-require-public-access-block",
  description: "Every bucket must have a public access block with all four settings on.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "critical",
  catalog: ["95"],
  appliesTo: T.s3Bucket,
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.s3Bucket), (bucket) => {
      const blocks = settings(graph, bucket, T.s3PublicAccessBlock);
      const flags = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
      if (blocks.length === 0) {
        report(`${describe(bucket)} has no public access block; add an aws.s3.BucketPublicAccessBlock with all four settings true.`, bucket.urn);
      }
      for (const b of blocks) {
        const off = flags.filter((f) => prop(b, f) !== true);
        if (off.length > 0) report(`${describe(bucket)}'s public access block leaves ${off.join(", ")} off; set all four to true.`, b.urn);
      }
    });
  },
});

function policyDocsOf(graph: StackGraph, bucket: Resource): unknown[] {
  return settings(graph, bucket, T.s3BucketPolicy).map((p) => prop(p, "policy"));
}

export const bucketRequireSecureTransport = stackPolicy({
  name: "s3-bucket-require-secure-transport",
  description: "Every bucket's policy must deny requests that do not use TLS.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["96"],
  appliesTo: T.s3Bucket,
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.s3Bucket), (bucket) => {
      // A malformed document denies nothing; s3-bucketpolicy-disallow-public-principals reports it.
      const denies = policyDocsOf(graph, bucket).some((doc) =>
        statementsOr(doc, () => undefined).some((st) => {
          const bool = obj(st.condition.Bool);
          return st.effect === "Deny" && String(bool?.["aws:SecureTransport"]) === "false";
        }),
      );
      if (!denies) {
        report(`${describe(bucket)} accepts plain-HTTP requests; add a bucket policy statement that denies s3:* when aws:SecureTransport is "false".`, bucket.urn);
      }
    });
  },
});

export const bucketRequireDefaultEncryption = stackPolicy({
  name: "s3-bucket-require-default-encryption",
  description: "Every bucket must declare its default server-side encryption.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "medium",
  catalog: ["97"],
  appliesTo: T.s3Bucket,
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.s3Bucket), (bucket) => {
      const configs = settings(graph, bucket, T.s3Encryption);
      const inline = peek(() => prop(bucket, "serverSideEncryptionConfiguration"));
      if (configs.length === 0 && !obj(inline)) {
        report(`${describe(bucket)} does not declare default encryption; add an aws.s3.BucketServerSideEncryptionConfiguration.`, bucket.urn);
      }
    });
  },
});

export const bucketRequireOwnerEnforced = stackPolicy({
  name: "s3-bucket-require-owner-enforced",
  description: "Every bucket must disable ACLs (BucketOwnerEnforced object ownership).",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["99"],
  appliesTo: T.s3Bucket,
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.s3Bucket), (bucket) => {
      const controls = settings(graph, bucket, T.s3OwnershipControls);
      const enforced = controls.some((c) => obj(prop(c, "rule"))?.objectOwnership === "BucketOwnerEnforced");
      if (!enforced) {
        report(`${describe(bucket)} still honours ACLs; add aws.s3.BucketOwnershipControls with objectOwnership "BucketOwnerEnforced".`, bucket.urn);
      }
      for (const acl of settings(graph, bucket, T.s3BucketAcl)) {
        report(`${describe(bucket)} is given an ACL by ${describe(acl)}; remove it and grant access with the bucket policy.`, acl.urn);
      }
    });
  },
});

export const bucketRequireLifecycle = stackPolicy({
  name: "s3-bucket-require-lifecycle",
  description: "Every bucket must have an enabled lifecycle rule that expires objects and aborts incomplete multipart uploads.",
  enforcementLevel: "mandatory",
  category: "cost",
  severity: "low",
  catalog: ["100"],
  appliesTo: T.s3Bucket,
  validate: ({ graph }, report) => {
    forEachKnown(graph.ofType(T.s3Bucket), (bucket) => {
      const rules = settings(graph, bucket, T.s3Lifecycle).flatMap((l) => list(prop(l, "rules")));
      const enabled = rules.filter((r) => r.status === "Enabled");
      // A versioned content bucket (the edge's assets) keeps its current objects, which the site
      // serves, and expires the versions a publish replaced: that counts as expiring objects.
      const versioned = settings(graph, bucket, T.s3Versioning).some((v) => obj(prop(v, "versioningConfiguration"))?.status === "Enabled");
      const expires = enabled.some(
        (r) =>
          obj(r.expiration) !== undefined ||
          (Array.isArray(r.expiration) && r.expiration.length > 0) ||
          (versioned && obj(r.noncurrentVersionExpiration) !== undefined),
      );
      const aborts = enabled.some((r) => obj(r.abortIncompleteMultipartUpload) !== undefined || (Array.isArray(r.abortIncompleteMultipartUpload) && r.abortIncompleteMultipartUpload.length > 0));
      if (!expires || !aborts) {
        report(
          `${describe(bucket)} has no enabled lifecycle rule that ${!expires ? "expires objects" : "aborts incomplete multipart uploads"}; ` +
            `add an aws.s3.BucketLifecycleConfiguration rule with expiration and abortIncompleteMultipartUpload.`,
          bucket.urn,
        );
      }
    });
  },
});

export const LOG_DELIVERY_SERVICES = [
  "logdelivery.elasticloadbalancing.amazonaws.com",
  "delivery.logs.amazonaws.com",
  "logging.s3.amazonaws.com",
];

export const bucketPolicyDisallowPublicPrincipals = resourcePolicy({
  name: "s3-bucketpolicy-disallow-public-principals",
  description: "Bucket policies must not allow \"*\" principals, must scope log-delivery services to this account, and must not lock everyone out.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "critical",
  catalog: ["101"],
  types: [T.s3BucketPolicy],
  validate: (r, report) => {
    for (const st of statementsOr(r.props.policy, (reason) => report(`The bucket policy ${reason}; build it with JSON.stringify.`))) {
      const keys = conditionKeys(st);
      if (st.effect === "Allow" && st.anyPrincipal) {
        report('The bucket policy allows any principal ("*"); name the principals that need access.');
      }
      for (const s of st.servicePrincipals.filter((s) => st.effect === "Allow" && LOG_DELIVERY_SERVICES.includes(s))) {
        if (!keys.includes("aws:sourceaccount") && !keys.includes("aws:sourcearn")) {
          report(`The bucket policy lets ${s} write for any account; add a condition on aws:SourceAccount or aws:SourceArn.`);
        }
      }
      const everything = st.actions.some((a) => a === "*" || a.toLowerCase() === "s3:*");
      if (st.effect === "Deny" && st.anyPrincipal && everything && keys.length === 0 && !st.hasNotPrincipal) {
        report("The bucket policy denies every action to everyone without a condition, locking out even administrators; add a condition such as aws:SecureTransport.");
      }
    }
  },
});

export const policies: Policies = [
  bucketRequirePublicAccessBlock,
  bucketRequireSecureTransport,
  bucketRequireDefaultEncryption,
  bucketRequireOwnerEnforced,
  bucketRequireLifecycle,
  bucketPolicyDisallowPublicPrincipals,
];
