import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { sanitizeName } from "../app/names";
import { certificateBaseName, validationRecordDomains } from "../app/plan";

export interface DnsValidatedCertificateArgs {
  readonly domain: string;
  readonly alternativeNames: readonly string[];
  /** The public hosted zone the validation CNAMEs go in. */
  readonly zoneId: pulumi.Input<string>;
  /**
   * Validation CNAMEs another certificate of this stack already writes, by base name (`x` and
   * `*.x` share one): used as they are, never written a second time. @default {}
   */
  readonly existingRecordFqdns?: Readonly<Record<string, pulumi.Input<string>>>;
}

export interface DnsValidatedCertificate {
  readonly certificate: aws.acm.Certificate;
  readonly validation: aws.acm.CertificateValidation;
  /** The validation CNAMEs this certificate wrote, by base name: for a second certificate's `existingRecordFqdns`. */
  readonly recordFqdns: Readonly<Record<string, pulumi.Output<string>>>;
}

/**
 * An ACM certificate validated through Route 53: `<name>-cert` (certificate and its validation)
 * and one `<name>-cert-validation[-<dns name>]` CNAME per distinct base name. Logical names derive
 * from the DNS name, not a position, so reordering the alternative names changes nothing.
 *
 * ACM issues one validation CNAME per domain name and account, the same for every certificate of
 * that name in every Region (hashicorp/terraform-provider-aws#13653: a second certificate for the
 * name "fails because the CNAME record used for the validation already exists"). So the ALB's
 * regional certificate and the edge's us-east-1 certificate for `app.example.com` need the same
 * record. Two resources writing it would each delete it when they go (turning the edge off would
 * remove the record the ALB's certificate renews with, and ACM's managed renewal would fail
 * silently months later), so the second certificate takes the first one's record through
 * `existingRecordFqdns` and writes only the names it alone has.
 *
 * `certificateOptions` places the certificate and its validation (the edge's are in us-east-1);
 * `recordOptions` the records (Route 53 is global: the stack's provider).
 */
export function dnsValidatedCertificate(
  name: string,
  args: DnsValidatedCertificateArgs,
  certificateOptions: pulumi.CustomResourceOptions,
  recordOptions: pulumi.CustomResourceOptions,
): DnsValidatedCertificate {
  const alternativeNames = [...args.alternativeNames];
  const certificate = new aws.acm.Certificate(
    `${name}-cert`,
    {
      domainName: args.domain,
      subjectAlternativeNames: alternativeNames.length > 0 ? alternativeNames : undefined,
      validationMethod: "DNS",
      keyAlgorithm: "RSA_2048",
      tags: { Name: args.domain },
    },
    certificateOptions,
  );
  const existing = args.existingRecordFqdns ?? {};
  const recordFqdns: Record<string, pulumi.Output<string>> = {};
  const fqdns: pulumi.Input<string>[] = [];
  // Found by name rather than by position: ACM does not promise an order for domainValidationOptions.
  for (const base of validationRecordDomains(args.domain, alternativeNames)) {
    const shared = existing[base];
    if (shared !== undefined) {
      fqdns.push(shared);
      continue;
    }
    const option = certificate.domainValidationOptions.apply((opts) => {
      const found = opts.find((o) => certificateBaseName(o.domainName) === base);
      if (!found) throw new Error(`ACM returned no validation option for ${base}`);
      return found;
    });
    const record = new aws.route53.Record(
      base === args.domain.toLowerCase() ? `${name}-cert-validation` : `${name}-cert-validation-${sanitizeName(base)}`,
      {
        zoneId: args.zoneId,
        name: option.resourceRecordName,
        type: option.resourceRecordType,
        records: [option.resourceRecordValue],
        ttl: 300,
        // A CNAME left behind by an earlier certificate for the same name (or written outside this
        // stack) is the same record: take it over instead of failing on Route 53's CREATE.
        allowOverwrite: true,
      },
      recordOptions,
    );
    recordFqdns[base] = record.fqdn;
    fqdns.push(record.fqdn);
  }
  const validation = new aws.acm.CertificateValidation(
    `${name}-cert`,
    { certificateArn: certificate.arn, validationRecordFqdns: fqdns },
    certificateOptions,
  );
  return { certificate, validation, recordFqdns };
}
