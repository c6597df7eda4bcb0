import { CLOUDFRONT_HOSTED_ZONE_ID, CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST, webAclCapacityOf } from "../../infra/edge/plan";
import { hex, uuidFrom } from "./ids";

/**
 * Mock answers for the edge's resource types (CloudFront, WAFv2 CLOUDFRONT scope, CloudWatch Logs
 * vended delivery, random), shaped as AWS and the random provider return them. Split from mocks.ts
 * so the edge's answers stay in one place; AwsMocks consults this first.
 */

export interface EdgeMockArgs {
  readonly type: string;
  readonly name: string;
  readonly seed: string;
  readonly inputs: Record<string, unknown>;
  /** The region of the resource's provider (us-east-1 for the edge's global-service resources). */
  readonly region: string;
  readonly account: string;
}

/** CloudFront ids (distributions, OACs): `E` + 13 upper-case alphanumerics, e.g. E2QWRUHAPOMQZL. */
function cloudFrontId(seed: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  const h = hex(seed, 26);
  let out = "E";
  for (let i = 0; i < 13; i++) out += alphabet[parseInt(h.slice(i * 2, i * 2 + 2), 16) % alphabet.length];
  return out;
}

function etag(seed: string): string {
  return `E${hex(`${seed}::etag`, 13).toUpperCase()}`;
}

/** Letters and digits only, as RandomPassword with `special: false` returns them. */
function password(seed: string, length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const h = hex(`${seed}::password`, length * 2);
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[parseInt(h.slice(i * 2, i * 2 + 2), 16) % alphabet.length];
  return out;
}

export function edgeResource(a: EdgeMockArgs): { id: string; state: Record<string, unknown> } | undefined {
  const { type, name, seed, inputs, region, account } = a;
  const str = (k: string): string | undefined => (typeof inputs[k] === "string" ? (inputs[k] as string) : undefined);
  switch (type) {
    case "random:index/randomPassword:RandomPassword": {
      const length = typeof inputs.length === "number" ? inputs.length : 16;
      return { id: "none", state: { result: password(seed, length), bcryptHash: `$2a$10$${hex(`${seed}::bcrypt`, 53)}` } };
    }
    case "aws:cloudfront/distribution:Distribution": {
      const id = cloudFrontId(seed);
      return {
        id,
        state: {
          arn: `arn:aws:cloudfront::${account}:distribution/${id}`,
          domainName: `d${hex(`${seed}::domain`, 13).replace(/[0-9]/g, (d) => "abcdefghij"[Number(d)])}.cloudfront.net`,
          hostedZoneId: CLOUDFRONT_HOSTED_ZONE_ID,
          status: "Deployed",
          etag: etag(seed),
          callerReference: `terraform-${hex(`${seed}::ref`, 26)}`,
          inProgressValidationBatches: 0,
          lastModifiedTime: "2025-01-15 09:30:00 +0000 UTC",
          trustedSigners: [{ enabled: false, items: [] }],
        },
      };
    }
    case "aws:cloudfront/originAccessControl:OriginAccessControl":
      return { id: cloudFrontId(seed), state: { etag: etag(seed) } };
    case "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy":
    case "aws:cloudfront/cachePolicy:CachePolicy":
    case "aws:cloudfront/originRequestPolicy:OriginRequestPolicy":
      return { id: uuidFrom(seed), state: { etag: etag(seed) } };
    case "aws:cloudfront/function:Function": {
      const fnName = str("name") ?? name;
      return {
        id: fnName,
        state: { arn: `arn:aws:cloudfront::${account}:function/${fnName}`, etag: etag(seed), liveStageEtag: etag(`${seed}::live`), status: "UNASSOCIATED" },
      };
    }
    case "aws:wafv2/ipSet:IpSet":
    case "aws:wafv2/webAcl:WebAcl": {
      const id = uuidFrom(seed);
      const aclName = str("name") ?? name;
      // CLOUDFRONT-scope resources are "global" in their ARN, always in us-east-1 (WAF API, ARNs).
      const scope = str("scope") === "CLOUDFRONT" ? "global" : "regional";
      const kind = type === "aws:wafv2/ipSet:IpSet" ? "ipset" : "webacl";
      return {
        id,
        state: {
          arn: `arn:aws:wafv2:${region}:${account}:${scope}/${kind}/${aclName}/${id}`,
          lockToken: uuidFrom(`${seed}::lock`),
          ...(kind === "webacl" ? { capacity: webAclCapacityOf(inputs.rules), applicationIntegrationUrl: "" } : {}),
        },
      };
    }
    case "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration":
      return { id: str("resourceArn") ?? name, state: {} };
    case "aws:cloudwatch/logDeliverySource:LogDeliverySource": {
      const n = str("name") ?? name;
      return { id: n, state: { arn: `arn:aws:logs:${region}:${account}:delivery-source:${n}`, service: "cloudfront" } };
    }
    case "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": {
      const n = str("name") ?? name;
      return { id: n, state: { arn: `arn:aws:logs:${region}:${account}:delivery-destination:${n}`, deliveryDestinationType: "CWL" } };
    }
    case "aws:cloudwatch/logDelivery:LogDelivery": {
      const id = hex(seed, 16);
      return { id, state: { arn: `arn:aws:logs:${region}:${account}:delivery:${id}` } };
    }
    default:
      return undefined;
  }
}

/**
 * `ec2.getManagedPrefixList` for the AWS-managed lists the platform reads. The CloudFront
 * origin-facing list: owner AWS, IPv4, max entries 55 (its weight against security-group rule
 * quotas: "AWS-managed prefix lists", Amazon VPC User Guide), a per-region `pl-` id.
 */
export function managedPrefixList(name: string, region: string): Record<string, unknown> {
  if (name !== CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST) throw new Error(`Mock not implemented: managed prefix list ${name}`);
  const id = `pl-${hex(`prefix-list::${region}::${name}`, 8)}`;
  // A sample of the list's real entries (CloudFront's origin-facing ranges from ip-ranges.json).
  const cidrs = ["13.32.0.0/15", "52.46.0.0/18", "54.182.0.0/16", "54.192.0.0/16", "64.252.64.0/18", "70.132.0.0/18", "99.84.0.0/16", "130.176.0.0/17", "204.246.168.0/22", "205.251.192.0/19"];
  return {
    id,
    name,
    arn: `arn:aws:ec2:${region}:aws:prefix-list/${id}`,
    addressFamily: "IPv4",
    maxEntries: 55,
    ownerId: "AWS",
    version: 41,
    entries: cidrs.map((cidr) => ({ cidr, description: "" })),
    tags: {},
  };
}
