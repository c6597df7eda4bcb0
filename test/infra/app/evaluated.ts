import { Evaluation, RecordedResource, evaluate } from "../../../cli/evaluate/harness";
import { readStackFile, toEngineConfig } from "../../../cli/evaluate/stack-config";
import { parseConfig } from "../../../infra/config";
import { managementReference } from "../../../infra/peering";
import { DIY_ORGANIZATION, MANAGEMENT_STACK, STACK_ORDER } from "../../../infra/stacks";
import { evaluateShipped } from "../../support/stacks";

/**
 * The shipped stacks evaluated the way they deploy: `shared` first, then every environment with its
 * StackReference answered from shared's own outputs (test/support/stacks.ts evaluates each once
 * per test process and shares it with the network, bastion and peering suites).
 */
let cache: Promise<ReadonlyMap<string, Evaluation>> | undefined;

export function evaluatedStacks(): Promise<ReadonlyMap<string, Evaluation>> {
  cache ??= (async () => {
    const out = new Map<string, Evaluation>();
    for (const stack of STACK_ORDER) out.set(stack, await evaluateShipped(stack));
    return out;
  })();
  return cache;
}

export const ENVIRONMENTS = STACK_ORDER.filter((s) => s !== MANAGEMENT_STACK);

export function ofType(ev: Evaluation, type: string): RecordedResource[] {
  return ev.resources.filter((r) => r.type === type && !r.external);
}

/** The one resource of `type` named `name`; fails loudly if there is not exactly one. */
export function one(ev: Evaluation, type: string, name: string): RecordedResource {
  const found = ofType(ev, type).filter((r) => r.name === name);
  if (found.length !== 1) throw new Error(`expected exactly one ${type} named ${name}, found ${found.length}`);
  return found[0];
}

export function input<T>(r: RecordedResource, key: string): T {
  return r.inputs[key] as T;
}

export const T = {
  lb: "aws:lb/loadBalancer:LoadBalancer",
  listener: "aws:lb/listener:Listener",
  rule: "aws:lb/listenerRule:ListenerRule",
  tg: "aws:lb/targetGroup:TargetGroup",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  cert: "aws:acm/certificate:Certificate",
  certValidation: "aws:acm/certificateValidation:CertificateValidation",
  record: "aws:route53/record:Record",
  bucket: "aws:s3/bucket:Bucket",
  sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  waf: "aws:wafv2/webAclAssociation:WebAclAssociation",
  cluster: "aws:ecs/cluster:Cluster",
  capacity: "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
  taskDef: "aws:ecs/taskDefinition:TaskDefinition",
  service: "aws:ecs/service:Service",
  scalingTarget: "aws:appautoscaling/target:Target",
  scalingPolicy: "aws:appautoscaling/policy:Policy",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  kms: "aws:kms/key:Key",
  ssmParam: "aws:ssm/parameter:Parameter",
  repo: "awsx:ecr:Repository",
  image: "awsx:ecr:Image",
  rdsCluster: "aws:rds/cluster:Cluster",
  rdsInstance: "aws:rds/clusterInstance:ClusterInstance",
  subnetGroup: "aws:rds/subnetGroup:SubnetGroup",
  paramGroup: "aws:rds/clusterParameterGroup:ClusterParameterGroup",
  subnet: "aws:ec2/subnet:Subnet",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
} as const;

/**
 * A shipped stack's file, edited, evaluated like the shipped stacks (its StackReference answered
 * from shared's evaluation). `ssmParameters` seeds live SSM values (see MockOptions).
 */
export async function evaluateVariant(
  stack: string,
  edit: (config: Record<string, unknown>) => void,
  ssmParameters?: Record<string, string>,
): Promise<Evaluation> {
  const shared = (await evaluatedStacks()).get(MANAGEMENT_STACK)!;
  const raw = structuredClone(readStackFile(stack).config);
  edit(raw);
  const config = toEngineConfig(raw);
  const parsed = parseConfig(stack, "platform", config);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const program = require("../../../infra/index") as () => Promise<Record<string, unknown>>;
  return evaluate(program, {
    stack,
    region: config["aws:region"] ?? "ap-northeast-2",
    config,
    stackOutputs: parsed.peering ? { [managementReference(parsed.peering, DIY_ORGANIZATION)]: shared.outputs } : {},
    ssmParameters,
  });
}
