import { policies } from "../../policies/s3";
import { Fixture } from "../support/policy-harness";
import { policyTests } from "./cases";

const bucketPolicy = (statements: Record<string, unknown>[]) => (f: Fixture) =>
  f.update("prod-alb-logs-policy", (i) => (i.policy = JSON.stringify({ Version: "2012-10-17", Statement: statements })));

const tlsOnly = {
  Sid: "TLSOnly", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::prod-alb-logs-123456789012/*", Condition: { Bool: { "aws:SecureTransport": "false" } },
};

policyTests("policies/s3.ts", policies, [
  {
    policy: "s3-bucket-require-public-access-block",
    title: "the log bucket has no public access block",
    mutate: (f) => f.remove("prod-alb-logs-bpa"),
    messages: ['Bucket "prod-alb-logs" has no public access block; add an aws.s3.BucketPublicAccessBlock with all four settings true.'],
  },
  {
    policy: "s3-bucket-require-public-access-block",
    title: "one public access setting is off",
    mutate: (f) => f.update("prod-alb-logs-bpa", (i) => (i.restrictPublicBuckets = false)),
    messages: ['Bucket "prod-alb-logs"\'s public access block leaves restrictPublicBuckets off; set all four to true.'],
  },
  {
    policy: "s3-bucket-require-secure-transport",
    title: "the bucket policy does not deny plain HTTP",
    mutate: bucketPolicy([]),
    messages: ['Bucket "prod-alb-logs" accepts plain-HTTP requests; add a bucket policy statement that denies s3:* when aws:SecureTransport is "false".'],
  },
  {
    policy: "s3-bucket-require-default-encryption",
    title: "default encryption is not declared",
    mutate: (f) => f.remove("prod-alb-logs-sse"),
    messages: ['Bucket "prod-alb-logs" does not declare default encryption; add an aws.s3.BucketServerSideEncryptionConfiguration.'],
  },
  {
    policy: "s3-bucket-require-owner-enforced",
    title: "ACLs are still honoured",
    mutate: (f) => f.update("prod-alb-logs-ownership", (i) => (i.rule = { objectOwnership: "ObjectWriter" })),
    messages: ['Bucket "prod-alb-logs" still honours ACLs; add aws.s3.BucketOwnershipControls with objectOwnership "BucketOwnerEnforced".'],
  },
  {
    policy: "s3-bucket-require-lifecycle",
    title: "objects never expire",
    mutate: (f) => f.update("prod-alb-logs-lifecycle", (i) => (i.rules = [{ id: "abort", status: "Enabled", abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }])),
    messages: [
      'Bucket "prod-alb-logs" has no enabled lifecycle rule that expires objects; add an aws.s3.BucketLifecycleConfiguration rule with expiration and abortIncompleteMultipartUpload.',
    ],
  },
  {
    policy: "s3-bucketpolicy-disallow-public-principals",
    title: "anyone may read the logs",
    mutate: bucketPolicy([tlsOnly, { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::prod-alb-logs-123456789012/*" }]),
    messages: ['The bucket policy allows any principal ("*"); name the principals that need access.'],
  },
  {
    policy: "s3-bucketpolicy-disallow-public-principals",
    title: "log delivery is not scoped to this account",
    mutate: bucketPolicy([
      tlsOnly,
      { Effect: "Allow", Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" }, Action: "s3:PutObject", Resource: "arn:aws:s3:::prod-alb-logs-123456789012/*" },
    ]),
    messages: ["The bucket policy lets logdelivery.elasticloadbalancing.amazonaws.com write for any account; add a condition on aws:SourceAccount or aws:SourceArn."],
  },
]);
