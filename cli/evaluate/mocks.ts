import * as pulumi from "@pulumi/pulumi";
import { ID_PREFIX, hex, uuidFrom } from "./ids";
import { isSecretValue } from "./property-values";
import { edgeResource, managedPrefixList } from "./mocks-edge";

/**
 * Pulumi mocks that answer the way AWS would.
 *
 * Used by the component tests and by `platform plan`. Every answer is deterministic (derived from
 * the resource's URN, never from time or randomness) so plans are byte-identical, and
 * shaped like AWS's (`vpc-` + 17 hex digits, ARNs with the stack's region and account) so that
 * code which parses ids or ARNs is exercised for real. A mock that echoed `name-id` would let a
 * mistake such as passing a name where an ARN is required go unnoticed.
 */

export const MOCK_ACCOUNT_ID = "123456789012";

export interface MockOptions {
  readonly region: string;
  readonly accountId?: string;
  /**
   * Outputs of upstream stacks, keyed by the StackReference name the program uses
   * (`organization/platform/shared`). Filled from the upstream stack's own evaluation, never typed
   * by hand, so a change to an upstream output breaks the dependants' evaluation.
   */
  readonly stackOutputs?: Readonly<Record<string, Record<string, unknown>>>;
  /**
   * SSM parameters that already exist, with the value someone else left in them (e.g. an image a
   * release pipeline wrote to a parameter Pulumi ignores the value of). A parameter the program
   * creates keeps this live value, as `ignoreChanges: ["value"]` would; `ssm.getParameter` reads it.
   */
  readonly ssmParameters?: Readonly<Record<string, string>>;
}

/** The plain value inside a deserialized secret (`{4dabf…: 1b47…, value}`), or the value itself. */
function unwrapSecret(v: unknown): unknown {
  return isSecretValue(v) ? v.value : v;
}

/** Short service name in ARNs for a type token `aws:<module>/<x>:<Type>`. */
function arnService(type: string): string {
  const mod = type.split(":")[1]?.split("/")[0] ?? "";
  switch (mod) {
    case "lb":
    case "alb":
      return "elasticloadbalancing";
    case "cloudwatch":
      return "logs";
    case "rds":
      return "rds";
    case "vpc":
      return "ec2";
    case "autoscaling":
      return "autoscaling";
    case "appautoscaling":
      return "application-autoscaling";
    default:
      return mod;
  }
}

export class AwsMocks implements pulumi.runtime.Mocks {
  readonly region: string;
  readonly accountId: string;
  readonly stackOutputs: Readonly<Record<string, Record<string, unknown>>>;
  /** Live SSM parameter values: seeded from options, filled by parameters the program creates. */
  private readonly ssmValues: Map<string, string>;
  /** Regions of explicit providers (`<urn>::<id>`, as resources reference them), e.g. the edge's us-east-1 one. */
  private readonly providerRegions = new Map<string, string>();

  constructor(options: MockOptions) {
    this.region = options.region;
    this.accountId = options.accountId ?? MOCK_ACCOUNT_ID;
    this.stackOutputs = options.stackOutputs ?? {};
    this.ssmValues = new Map(Object.entries(options.ssmParameters ?? {}));
  }

  /**
   * The physical id AWS would assign. Derived from the URN when the caller knows it (the harness
   * always passes it), so the same logical resource in two stacks or under two parents gets two
   * ids, as in AWS; otherwise from type and logical name.
   */
  physicalId(type: string, name: string, seed: string = `${type}::${name}`): string {
    const prefix = ID_PREFIX[type];
    if (prefix) return `${prefix}${hex(seed, 17)}`;
    if (type.startsWith("pulumi:providers:")) return uuidFrom(seed);
    return `${name}-${hex(seed, 8)}`;
  }

  newResource(args: pulumi.runtime.MockResourceArgs & { readonly urn?: string }): {
    id: string | undefined;
    state: Record<string, unknown>;
  } {
    const { type, name } = args;
    // Every derived value hangs off this seed: the engine URN when known (unique per stack and
    // parent chain), else type and name.
    const seed = args.urn ?? `${type}::${name}`;
    const inputs = args.inputs as Record<string, unknown>;
    const id = args.id && args.id !== "" ? args.id : this.physicalId(type, name, seed);
    const state: Record<string, unknown> = { ...inputs };
    // A resource managed through another region's provider answers with that region's ARNs.
    const region = (args.provider && this.providerRegions.get(args.provider)) || this.region;
    const account = this.accountId;
    const arn = (resource: string) => `arn:aws:${arnService(type)}:${region}:${account}:${resource}`;
    if (type === "pulumi:providers:aws" && args.urn && typeof inputs.region === "string") this.providerRegions.set(`${args.urn}::${id}`, inputs.region);
    const edge = edgeResource({ type, name, seed, inputs, region, account });
    if (edge) return { id: edge.id, state: { ...state, ...edge.state } };
    switch (type) {
      case "pulumi:pulumi:StackReference": {
        const refName = String(inputs.name ?? name);
        const outputs = this.stackOutputs[refName];
        if (!outputs) {
          throw new Error(
            `StackReference "${refName}" has no evaluated upstream stack. Evaluate the referenced stack ` +
              `first (see STACK_ORDER in infra/stacks.ts) and pass its outputs.`,
          );
        }
        return { id: refName, state: { name: refName, outputs, secretOutputNames: [] } };
      }
      case "aws:ec2/vpc:Vpc":
        Object.assign(state, {
          arn: arn(`vpc/${id}`),
          defaultSecurityGroupId: `sg-${hex(`${seed}::default-sg`, 17)}`,
          defaultNetworkAclId: `acl-${hex(`${seed}::default-acl`, 17)}`,
          defaultRouteTableId: `rtb-${hex(`${seed}::default-rtb`, 17)}`,
          mainRouteTableId: `rtb-${hex(`${seed}::default-rtb`, 17)}`,
          ownerId: account,
        });
        break;
      case "aws:ec2/subnet:Subnet":
        Object.assign(state, { arn: arn(`subnet/${id}`), ownerId: account });
        break;
      case "aws:ec2/eip:Eip": {
        const h = hex(`${seed}::ip`, 4);
        Object.assign(state, {
          allocationId: id,
          publicIp: `3.${parseInt(h.slice(0, 2), 16) % 250}.${parseInt(h.slice(2, 4), 16) % 250}.${(name.length * 7) % 250}`,
          domain: "vpc",
        });
        break;
      }
      case "aws:ec2/securityGroup:SecurityGroup":
      case "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":
        Object.assign(state, { arn: arn(`security-group/${id}`), ownerId: account });
        break;
      case "aws:ec2/instance:Instance":
        Object.assign(state, {
          arn: arn(`instance/${id}`),
          privateIp: `10.0.${parseInt(hex(seed, 2), 16) % 250}.10`,
          primaryNetworkInterfaceId: `eni-${hex(`${seed}::eni`, 17)}`,
        });
        break;
      case "aws:ec2/launchTemplate:LaunchTemplate":
        Object.assign(state, { arn: arn(`launch-template/${id}`), latestVersion: 1, defaultVersion: 1 });
        break;
      case "aws:iam/role:Role": {
        const roleName = (inputs.name as string | undefined) ?? id;
        Object.assign(state, {
          name: roleName,
          arn: `arn:aws:iam::${account}:role/${roleName}`,
          uniqueId: `AROA${hex(seed, 17).toUpperCase()}`,
        });
        return { id: roleName, state };
      }
      case "aws:iam/policy:Policy": {
        const policyName = (inputs.name as string | undefined) ?? id;
        Object.assign(state, { name: policyName, arn: `arn:aws:iam::${account}:policy/${policyName}` });
        return { id: state.arn as string, state };
      }
      case "aws:iam/instanceProfile:InstanceProfile": {
        const profileName = (inputs.name as string | undefined) ?? id;
        Object.assign(state, { name: profileName, arn: `arn:aws:iam::${account}:instance-profile/${profileName}` });
        return { id: profileName, state };
      }
      case "aws:cloudwatch/logGroup:LogGroup": {
        const groupName = (inputs.name as string | undefined) ?? id;
        Object.assign(state, { name: groupName, arn: `arn:aws:logs:${region}:${account}:log-group:${groupName}` });
        return { id: groupName, state };
      }
      case "aws:cloudwatch/metricAlarm:MetricAlarm": {
        // CloudWatch alarm ARNs: arn:aws:cloudwatch:<region>:<account>:alarm:<name>; the id is the name.
        const alarmName = (inputs.name as string | undefined) ?? id;
        Object.assign(state, { name: alarmName, arn: `arn:aws:cloudwatch:${region}:${account}:alarm:${alarmName}` });
        return { id: alarmName, state };
      }
      case "aws:autoscaling/group:Group": {
        const groupName = (inputs.name as string | undefined) ?? id;
        Object.assign(state, {
          name: groupName,
          arn: `arn:aws:autoscaling:${region}:${account}:autoScalingGroup:${hex(seed, 8)}-0000-0000-0000-${hex(seed, 12)}:autoScalingGroupName/${groupName}`,
        });
        return { id: groupName, state };
      }
      case "aws:s3/bucket:Bucket":
      case "aws:s3/bucketV2:BucketV2": {
        const bucket = (inputs.bucket as string | undefined) ?? `${name}-${hex(seed, 7)}`;
        Object.assign(state, {
          bucket,
          arn: `arn:aws:s3:::${bucket}`,
          bucketDomainName: `${bucket}.s3.amazonaws.com`,
          bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`,
          region,
        });
        return { id: bucket, state };
      }
      case "aws:kms/key:Key": {
        const keyId = `${hex(seed, 8)}-${hex(seed + "1", 4)}-${hex(seed + "2", 4)}-${hex(seed + "3", 4)}-${hex(seed + "4", 12)}`;
        Object.assign(state, { keyId, arn: `arn:aws:kms:${region}:${account}:key/${keyId}` });
        return { id: keyId, state };
      }
      case "aws:ec2/vpcEndpoint:VpcEndpoint":
        Object.assign(state, {
          arn: arn(`vpc-endpoint/${id}`),
          prefixListId: inputs.vpcEndpointType === "Gateway" ? `pl-${hex(seed, 8)}` : undefined,
        });
        break;
      case "aws:ec2/natGateway:NatGateway":
        Object.assign(state, { networkInterfaceId: `eni-${hex(`${seed}::eni`, 17)}`, publicIp: "3.36.0.1" });
        break;
      case "aws:ec2/vpcPeeringConnection:VpcPeeringConnection":
        Object.assign(state, { acceptStatus: inputs.autoAccept ? "active" : "pending-acceptance" });
        break;
      // Site-to-site VPN (infra/vpn). AWS answers with the VGW's ASN (64512 when none is asked for),
      // each tunnel's outside address (an AWS endpoint), its /30 inside range out of 169.254.0.0/16
      // and, with presharedKeyStorage SecretsManager, the ARN of the secret holding the keys and no
      // key itself (DescribeVpnConnections returns PreSharedKeyArn and tunnel options without
      // PreSharedKey: https://docs.aws.amazon.com/vpn/latest/s2svpn/enhanced-security-storage.html).
      case "aws:ec2/vpnGateway:VpnGateway":
        Object.assign(state, { arn: arn(`vpn-gateway/${id}`), amazonSideAsn: String(inputs.amazonSideAsn ?? "64512") });
        break;
      case "aws:ec2/customerGateway:CustomerGateway":
        Object.assign(state, { arn: arn(`customer-gateway/${id}`) });
        break;
      case "aws:ec2/vpnConnection:VpnConnection": {
        const octet = (k: string, mod: number) => parseInt(hex(`${seed}::${k}`, 2), 16) % mod;
        const tunnel = (n: 1 | 2) => {
          // AWS never hands out the reserved 169.254.0.0/30, 169.254.1.0/30 … 169.254.5.0/30 and 169.254.169.252/30
          // ("Tunnel options for your Site-to-Site VPN connection", inside tunnel IPv4 CIDR), and
          // the two tunnels' ranges differ: tunnel 1 takes the third octet 6–127, tunnel 2 128–249.
          const third = n === 1 ? 6 + octet("inside-1", 122) : 128 + octet("inside-2", 122);
          const inside = `169.254.${third}.${octet(`inside4-${n}`, 63) * 4}`;
          const [a, b, c, d] = inside.split(".").map(Number);
          return {
            [`tunnel${n}Address`]: `52.${78 + n}.${octet(`outside-${n}`, 250)}.${octet(`outside4-${n}`, 250) + 1}`,
            [`tunnel${n}InsideCidr`]: `${inside}/30`,
            [`tunnel${n}VgwInsideAddress`]: `${a}.${b}.${c}.${d + 1}`,
            [`tunnel${n}CgwInsideAddress`]: `${a}.${b}.${c}.${d + 2}`,
          };
        };
        const storedInSecretsManager = inputs.presharedKeyStorage === "SecretsManager";
        Object.assign(state, {
          arn: arn(`vpn-connection/${id}`),
          transitGatewayAttachmentId: "",
          presharedKeyArn: storedInSecretsManager ? `arn:aws:secretsmanager:${region}:${account}:secret:vpn-psk-${id}-${hex(seed, 6)}` : undefined,
          ...tunnel(1),
          ...tunnel(2),
        });
        break;
      }
      case "aws:cloudwatch/metricAlarm:MetricAlarm": {
        const alarmName = (inputs.name as string | undefined) ?? id;
        Object.assign(state, { name: alarmName, arn: `arn:aws:cloudwatch:${region}:${account}:alarm:${alarmName}` });
        return { id: alarmName, state };
      }
      default: {
        const app = this.appTierResource(type, name, seed, inputs, region);
        if (app) return { id: app.id, state: { ...state, ...app.state } };
        if (!("arn" in state)) state.arn = arn(`${type.split(":")[2]?.toLowerCase() ?? "resource"}/${id}`);
      }
    }
    return { id, state };
  }

  /**
   * Application-tier answers (ALB, ACM, Route 53, ECS, Application Auto Scaling, Aurora, SSM, and
   * the awsx ECR components, which are remote: under mocks they are one opaque resource whose
   * outputs must look like what awsx returns). Undefined for types handled elsewhere.
   */
  private appTierResource(
    type: string,
    name: string,
    seed: string,
    inputs: Record<string, unknown>,
    region: string = this.region,
  ): { id: string | undefined; state: Record<string, unknown> } | undefined {
    const account = this.accountId;
    const str = (k: string): string | undefined => (typeof inputs[k] === "string" ? (inputs[k] as string) : undefined);
    // Provider autonaming: the logical name plus a random suffix (here: derived from the URN).
    const autoName = (max = 255) => `${name}-${hex(seed, 7)}`.toLowerCase().slice(0, max);
    const elb = `arn:aws:elasticloadbalancing:${region}:${account}`;
    switch (type) {
      case "aws:lb/loadBalancer:LoadBalancer":
      case "aws:alb/loadBalancer:LoadBalancer": {
        const lbName = str("name") ?? autoName(32);
        const arnSuffix = `app/${lbName}/${hex(seed, 16)}`;
        const lbArn = `${elb}:loadbalancer/${arnSuffix}`;
        const digits = String(parseInt(hex(`${seed}::dns`, 8), 16)).padStart(10, "1").slice(0, 10);
        return {
          id: lbArn,
          state: {
            name: lbName,
            arn: lbArn,
            arnSuffix,
            dnsName: `${inputs.internal ? "internal-" : ""}${lbName}-${digits}.${region}.elb.amazonaws.com`,
            zoneId: ALB_HOSTED_ZONE_IDS[region] ?? `Z${base36(seed, 13)}`,
          },
        };
      }
      case "aws:lb/targetGroup:TargetGroup":
      case "aws:alb/targetGroup:TargetGroup": {
        const tgName = str("name") ?? autoName(32);
        const arnSuffix = `targetgroup/${tgName}/${hex(seed, 16)}`;
        return { id: `${elb}:${arnSuffix}`, state: { name: tgName, arn: `${elb}:${arnSuffix}`, arnSuffix, loadBalancerArns: [] } };
      }
      case "aws:lb/listener:Listener":
      case "aws:alb/listener:Listener": {
        const lbArn = str("loadBalancerArn") ?? `${elb}:loadbalancer/app/unknown/${hex(seed, 16)}`;
        const listenerArn = `${lbArn.replace(":loadbalancer/", ":listener/")}/${hex(seed, 16)}`;
        return { id: listenerArn, state: { arn: listenerArn } };
      }
      case "aws:lb/listenerRule:ListenerRule":
      case "aws:alb/listenerRule:ListenerRule": {
        const listenerArn = str("listenerArn") ?? `${elb}:listener/app/unknown/${hex(seed, 16)}/${hex(seed, 16)}`;
        const ruleArn = `${listenerArn.replace(":listener/", ":listener-rule/")}/${hex(seed, 16)}`;
        return { id: ruleArn, state: { arn: ruleArn } };
      }
      case "aws:acm/certificate:Certificate": {
        const certArn = `arn:aws:acm:${region}:${account}:certificate/${uuidFrom(seed)}`;
        const names = [str("domainName") ?? "", ...((inputs.subjectAlternativeNames as string[] | undefined) ?? [])];
        // ACM gives a name and its wildcard the same CNAME, derived from the base name.
        const domainValidationOptions = [...new Set(names)].map((domainName) => {
          const base = domainName.replace(/^\*\./, "");
          return {
            domainName,
            resourceRecordName: `_${hex(`${seed}::${base}`, 32)}.${base}.`,
            resourceRecordType: "CNAME",
            resourceRecordValue: `_${hex(`${seed}::${base}::value`, 32)}.${base36(`${seed}::${base}`, 10).toLowerCase()}.acm-validations.aws.`,
          };
        });
        return {
          id: certArn,
          state: { arn: certArn, domainValidationOptions, status: "PENDING_VALIDATION", type: "AMAZON_ISSUED", validationEmails: [] },
        };
      }
      case "aws:acm/certificateValidation:CertificateValidation":
        // The provider's id is the certificate's issue time.
        return { id: "2025-01-15 09:30:00 +0000 UTC", state: {} };
      case "aws:route53/record:Record": {
        const recordName = (str("name") ?? name).replace(/\.$/, "");
        return { id: `${str("zoneId") ?? "Z"}_${recordName}_${str("type") ?? "A"}`, state: { fqdn: recordName } };
      }
      case "aws:ecs/cluster:Cluster": {
        const clusterName = str("name") ?? autoName();
        const clusterArn = `arn:aws:ecs:${region}:${account}:cluster/${clusterName}`;
        return { id: clusterArn, state: { name: clusterName, arn: clusterArn } };
      }
      case "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders":
        return { id: str("clusterName") ?? name, state: {} };
      case "aws:ecs/taskDefinition:TaskDefinition": {
        const family = str("family") ?? name;
        const base = `arn:aws:ecs:${region}:${account}:task-definition/${family}`;
        return { id: family, state: { arn: `${base}:1`, arnWithoutRevision: base, revision: 1 } };
      }
      case "aws:ecs/service:Service": {
        const svcName = str("name") ?? autoName();
        const clusterName = (str("cluster") ?? "default").split("/").pop();
        const svcArn = `arn:aws:ecs:${region}:${account}:service/${clusterName}/${svcName}`;
        return { id: svcArn, state: { name: svcName, arn: svcArn } };
      }
      case "aws:appautoscaling/target:Target":
        return {
          id: str("resourceId") ?? name,
          state: { arn: `arn:aws:application-autoscaling:${region}:${account}:scalable-target/${hex(seed, 32)}` },
        };
      case "aws:appautoscaling/policy:Policy": {
        const policyName = str("name") ?? autoName();
        return {
          id: policyName,
          state: {
            name: policyName,
            arn: `arn:aws:autoscaling:${region}:${account}:scalingPolicy:${uuidFrom(seed)}:resource/${str("serviceNamespace") ?? "ecs"}/${str("resourceId") ?? ""}:policyName/${policyName}`,
          },
        };
      }
      case "aws:rds/cluster:Cluster": {
        const clusterId = str("clusterIdentifier") ?? autoName(63);
        const dns = hex(`${seed}::dns`, 12);
        const engine = str("engine") ?? "aurora-postgresql";
        const secret = inputs.manageMasterUserPassword
          ? [
              {
                secretArn: `arn:aws:secretsmanager:${region}:${account}:secret:rds!cluster-${uuidFrom(`${seed}::secret`)}-${base36(`${seed}::secret`, 6)}`,
                secretStatus: "active",
                kmsKeyId: str("masterUserSecretKmsKeyId") ?? `arn:aws:kms:${region}:${account}:alias/aws/secretsmanager`,
              },
            ]
          : [];
        return {
          id: clusterId,
          state: {
            clusterIdentifier: clusterId,
            arn: `arn:aws:rds:${region}:${account}:cluster:${clusterId}`,
            endpoint: `${clusterId}.cluster-${dns}.${region}.rds.amazonaws.com`,
            readerEndpoint: `${clusterId}.cluster-ro-${dns}.${region}.rds.amazonaws.com`,
            port: inputs.port ?? (engine === "aurora-mysql" ? 3306 : 5432),
            clusterResourceId: `cluster-${base36(seed, 26)}`,
            engineVersionActual: str("engineVersion"),
            masterUserSecrets: secret,
            availabilityZones: ["a", "b", "c"].map((l) => `${region}${l}`),
          },
        };
      }
      case "aws:rds/clusterInstance:ClusterInstance": {
        const identifier = str("identifier") ?? autoName(63);
        return {
          id: identifier,
          state: {
            identifier,
            arn: `arn:aws:rds:${region}:${account}:db:${identifier}`,
            endpoint: `${identifier}.${hex(`${seed}::dns`, 12)}.${region}.rds.amazonaws.com`,
            dbiResourceId: `db-${base36(seed, 26)}`,
            // The first instance of a cluster becomes its writer; the component gives it tier 0.
            writer: inputs.promotionTier === 0,
          },
        };
      }
      case "aws:rds/subnetGroup:SubnetGroup":
      case "aws:rds/clusterParameterGroup:ClusterParameterGroup": {
        const groupName = str("name") ?? autoName();
        const kind = type === "aws:rds/subnetGroup:SubnetGroup" ? "subgrp" : "cluster-pg";
        return { id: groupName, state: { name: groupName, arn: `arn:aws:rds:${region}:${account}:${kind}:${groupName}` } };
      }
      case "aws:ssm/parameter:Parameter": {
        const paramName = str("name") ?? `/${name}`;
        // aws.ssm.Parameter wraps `value` in pulumi.secret, so the mock receives the secret
        // envelope; `insecureValue` arrives plain.
        const given = unwrapSecret(inputs.insecureValue ?? inputs.value);
        // An existing parameter keeps its live value (see MockOptions.ssmParameters).
        const live = this.ssmValues.get(paramName);
        if (live === undefined) this.ssmValues.set(paramName, String(given ?? ""));
        const value = live ?? given;
        return {
          id: paramName,
          state: {
            name: paramName,
            arn: `arn:aws:ssm:${region}:${account}:parameter/${paramName.replace(/^\//, "")}`,
            ...(inputs.insecureValue !== undefined ? { insecureValue: value } : { value }),
            version: 1,
            tier: "Standard",
          },
        };
      }
      case "aws:wafv2/webAclAssociation:WebAclAssociation":
        return { id: `${str("webAclArn")},${str("resourceArn")}`, state: {} };
      case "awsx:ecr:Repository": {
        const repoName = (str("name") ?? autoName()).toLowerCase();
        return { id: undefined, state: { url: `${account}.dkr.ecr.${region}.amazonaws.com/${repoName}` } };
      }
      // ElastiCache (the session store): ids are the names the program passes; endpoints as a
      // TLS-enabled, cluster-mode-disabled replication group has them
      // (`master.<id>.<6>.<region code>.cache.amazonaws.com`, `replica.` for the reader endpoint).
      case "aws:elasticache/replicationGroup:ReplicationGroup": {
        const groupId = (str("replicationGroupId") ?? autoName(40)).toLowerCase();
        const dns = `${hex(`${seed}::dns`, 6)}.${cacheRegionCode(region)}.cache.amazonaws.com`;
        const count = typeof inputs.numCacheClusters === "number" ? inputs.numCacheClusters : 1;
        return {
          id: groupId,
          state: {
            replicationGroupId: groupId,
            arn: `arn:aws:elasticache:${region}:${account}:replicationgroup:${groupId}`,
            primaryEndpointAddress: `master.${groupId}.${dns}`,
            readerEndpointAddress: `replica.${groupId}.${dns}`,
            port: inputs.port ?? 6379,
            memberClusters: Array.from({ length: count }, (_, i) => `${groupId}-${String(i + 1).padStart(3, "0")}`),
            clusterEnabled: false,
            engineVersionActual: `${str("engineVersion") ?? "8.0"}.1`,
          },
        };
      }
      case "aws:elasticache/subnetGroup:SubnetGroup":
      case "aws:elasticache/parameterGroup:ParameterGroup": {
        const groupName = (str("name") ?? autoName()).toLowerCase();
        const kind = type === "aws:elasticache/subnetGroup:SubnetGroup" ? "subnetgroup" : "parametergroup";
        return { id: groupName, state: { name: groupName, arn: `arn:aws:elasticache:${region}:${account}:${kind}:${groupName}` } };
      }
      case "aws:elasticache/user:User": {
        const userId = str("userId") ?? autoName();
        // AWS answers with its own spelling of the mode (API Authentication.Type: password |
        // no-password | iam), whichever way the request said it (NoPasswordRequired, or
        // AuthenticationMode.Type no-password-required).
        const requested = inputs.authenticationMode as { type?: unknown } | undefined;
        const type = inputs.noPasswordRequired === true || requested?.type === "no-password-required" ? "no-password" : typeof requested?.type === "string" ? requested.type : "password";
        const passwords = Array.isArray(inputs.passwords) ? inputs.passwords.length : 0;
        return {
          id: userId,
          state: { arn: `arn:aws:elasticache:${region}:${account}:user:${userId}`, authenticationMode: { type, passwordCount: type === "password" ? passwords : 0 } },
        };
      }
      case "aws:elasticache/userGroup:UserGroup": {
        const groupId = str("userGroupId") ?? autoName();
        return { id: groupId, state: { arn: `arn:aws:elasticache:${region}:${account}:usergroup:${groupId}` } };
      }
      case "awsx:ecr:Image":
        return { id: undefined, state: { imageUri: `${str("repositoryUrl") ?? "unknown"}@sha256:${hex(`${seed}::digest`, 64)}` } };
      default:
        return undefined;
    }
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const inputs = args.inputs as Record<string, unknown>;
    switch (args.token) {
      case "aws:index/getAvailabilityZones:getAvailabilityZones": {
        const letters = ["a", "b", "c", "d"];
        return {
          id: this.region,
          names: letters.map((l) => `${this.region}${l}`),
          zoneIds: letters.map((_, i) => `${regionShort(this.region)}-az${i + 1}`),
          state: "available",
        };
      }
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return {
          accountId: this.accountId,
          arn: `arn:aws:iam::${this.accountId}:user/ci`,
          userId: "AIDAEXAMPLEUSERID0000",
          id: this.accountId,
        };
      case "aws:index/getRegion:getRegion":
        return { name: this.region, region: this.region, id: this.region, endpoint: `ec2.${this.region}.amazonaws.com` };
      case "aws:index/getPartition:getPartition":
        return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
      case "aws:ec2/getAmi:getAmi": {
        // Amazon Linux 2023 as AWS publishes it: owner "amazon", name al2023-ami-2023.x-kernel-6.1-<arch>.
        const arch = JSON.stringify(inputs.filters ?? "").includes("x86_64") ? "x86_64" : "arm64";
        return {
          id: `ami-${hex(`al2023-${this.region}-${arch}`, 17)}`,
          imageId: `ami-${hex(`al2023-${this.region}-${arch}`, 17)}`,
          name: `al2023-ami-2023.9.20251117.0-kernel-6.1-${arch}`,
          architecture: arch,
          ownerId: "137112412989",
          rootDeviceName: "/dev/xvda",
          virtualizationType: "hvm",
        };
      }
      case "aws:route53/getZone:getZone": {
        // A public hosted zone as Route 53 describes it: id "Z" + 13 upper-case alphanumerics.
        const zoneName = String(inputs.name ?? "example.com").replace(/\.$/, "");
        const zoneId = `Z${base36(`zone::${zoneName}`, 13)}`;
        const n = parseInt(hex(`ns::${zoneName}`, 4), 16);
        const nameServers = [
          `ns-${n % 512}.awsdns-${n % 64}.com`,
          `ns-${(n >> 1) % 2048}.awsdns-${(n >> 2) % 64}.org`,
          `ns-${(n >> 3) % 1024}.awsdns-${(n >> 4) % 64}.net`,
          `ns-${(n >> 5) % 2048}.awsdns-${(n >> 6) % 64}.co.uk`,
        ];
        return {
          id: zoneId,
          zoneId,
          name: zoneName,
          arn: `arn:aws:route53:::hostedzone/${zoneId}`,
          callerReference: uuidFrom(`zone::${zoneName}`),
          comment: "",
          nameServers,
          primaryNameServer: nameServers[0],
          privateZone: false,
          resourceRecordSetCount: 2,
          linkedServiceDescription: "",
          linkedServicePrincipal: "",
          tags: {},
        };
      }
      case "aws:ssm/getParameter:getParameter": {
        const paramName = String(inputs.name ?? "");
        const value = this.ssmValues.get(paramName);
        if (value === undefined) throw new Error(`ParameterNotFound: ${paramName}`);
        return {
          id: paramName,
          name: paramName,
          arn: `arn:aws:ssm:${this.region}:${this.accountId}:parameter/${paramName.replace(/^\//, "")}`,
          type: "String",
          value,
          insecureValue: value,
          version: 1,
          withDecryption: inputs.withDecryption ?? true,
        };
      }
      case "aws:ec2/getManagedPrefixList:getManagedPrefixList":
        return managedPrefixList(String(inputs.name ?? ""), (args.provider && this.providerRegions.get(args.provider)) || this.region);
      default:
        throw new Error(`Mock not implemented: ${args.token}`);
    }
  }
}

/** Upper-case base-36 characters derived from `seed` (Route 53 zone ids, RDS resource ids). */
function base36(seed: string, length: number): string {
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const h = hex(seed, length * 2);
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[parseInt(h.slice(i * 2, i * 2 + 2), 16) % 36];
  return out;
}

/** Canonical hosted zone ids of Application Load Balancers, per region (for alias records). */
const ALB_HOSTED_ZONE_IDS: Record<string, string> = {
  "us-east-1": "Z35SXDOTRQ7X7K",
  "us-east-2": "Z3AADJGX6KTTL2",
  "us-west-1": "Z368ELLRRE2KJ0",
  "us-west-2": "Z1H1FL5HABSF5",
  "ap-south-1": "ZP97RAFLXTNZK",
  "ap-northeast-1": "Z14GRHDCWA56QT",
  "ap-northeast-2": "ZWKZPGTI48KDX",
  "ap-northeast-3": "Z5LXEXXYW11ES",
  "ap-southeast-1": "Z1LMS91P8CMLE5",
  "ap-southeast-2": "Z1GM3OXH4ZPM65",
  "ca-central-1": "ZQSVJUPU6J1EY",
  "eu-central-1": "Z215JYRZR1TBD5",
  "eu-west-1": "Z32O12XQLNTSW2",
  "eu-west-2": "ZHURV8PSTC4K8",
  "eu-west-3": "Z3Q77PNBQS71R4",
  "sa-east-1": "Z2P70J7HTTTPLU",
};

/** AZ ids as AWS writes them (apne2-az1): a short region code plus the zone number. */
const REGION_CODES: Record<string, string> = {
  "ap-northeast-1": "apne1",
  "ap-northeast-2": "apne2",
  "ap-northeast-3": "apne3",
  "ap-southeast-1": "apse1",
  "ap-southeast-2": "apse2",
  "eu-central-1": "euc1",
  "eu-west-1": "euw1",
  "us-east-1": "use1",
  "us-east-2": "use2",
  "us-west-2": "usw2",
};

function regionShort(region: string): string {
  return REGION_CODES[region] ?? region.replace(/-/g, "");
}

/**
 * The region code in ElastiCache endpoint names: area, first letter of the direction, number
 * (`use1` for us-east-1, `apn2` for ap-northeast-2).
 */
export function cacheRegionCode(region: string): string {
  const [area, direction, n] = region.split("-");
  return direction && n ? `${area}${direction[0]}${n}` : region.replace(/-/g, "");
}
