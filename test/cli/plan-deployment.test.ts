import { expect } from "chai";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as fc from "fast-check";
import { engineUrn, parseUrn } from "../../cli/evaluate/urn";
import {
  buildDeployment,
  defaultProviderName,
  manifestMagic,
  Registration,
  SECRET_SIG,
  serializeDeployment,
  SIG_KEY,
  toStateValue,
  topologicalOrder,
} from "../../cli/plan/deployment";
import { deploymentValidator, SCHEMA_DIR } from "../../cli/plan/schema";
import { loadReplaceTable, ruleFor } from "../../cli/diff/table";

/** The deployment builder and URN rules, without the Pulumi runtime. */

function reg(partial: Partial<Registration> & Pick<Registration, "urn" | "type" | "name">): Registration {
  return {
    custom: true,
    external: false,
    remote: false,
    dependencies: [],
    propertyDependencies: {},
    protect: false,
    aliases: [],
    additionalSecretOutputs: [],
    wireInputs: {},
    wireOutputs: {},
    ignoreChanges: [],
    replaceOnChanges: [],
    ...partial,
  };
}

const STACK = "urn:pulumi:dev::platform::pulumi:pulumi:Stack::platform-dev";

describe("engine URNs", () => {
  const cases: [string | undefined, string, string, string][] = [
    [undefined, "pulumi:pulumi:Stack", "platform-dev", STACK],
    [STACK, "aws:ec2/vpc:Vpc", "vpc", "urn:pulumi:dev::platform::aws:ec2/vpc:Vpc::vpc"],
    [
      "urn:pulumi:dev::platform::platform:network:Vpc::net",
      "aws:ec2/subnet:Subnet",
      "net-a",
      "urn:pulumi:dev::platform::platform:network:Vpc$aws:ec2/subnet:Subnet::net-a",
    ],
    [
      "urn:pulumi:dev::platform::a:b:Outer$a:b:Middle::m",
      "aws:ec2/vpc:Vpc",
      "v",
      "urn:pulumi:dev::platform::a:b:Outer$a:b:Middle$aws:ec2/vpc:Vpc::v",
    ],
  ];
  for (const [parent, type, name, expected] of cases) {
    it(`with parent ${parent ?? "(none)"}, builds ${expected}`, () => {
      expect(engineUrn("dev", "platform", parent, type, name)).to.equal(expected);
    });
  }

  it("parses what it builds, names with :: included", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (name) => {
        const urn = engineUrn("dev", "platform", "urn:pulumi:dev::platform::a:b:C::p", "aws:ec2/vpc:Vpc", name);
        const parsed = parseUrn(urn);
        return parsed.name === name && parsed.type === "aws:ec2/vpc:Vpc" && parsed.qualifiedType === "a:b:C$aws:ec2/vpc:Vpc";
      }),
    );
  });
});

describe("deployment builder", () => {
  const vpc = reg({
    urn: "urn:pulumi:dev::platform::aws:ec2/vpc:Vpc::vpc",
    type: "aws:ec2/vpc:Vpc",
    name: "vpc",
    id: "vpc-0123456789abcdef0",
    parent: STACK,
    version: "7.48.0",
    wireInputs: { tags: { b: "2", a: "1" }, cidrBlock: "10.0.0.0/16", password: { [SIG_KEY]: SECRET_SIG, value: "hunter2" } },
    wireOutputs: { cidrBlock: "10.0.0.0/16" },
    propertyDependencies: { cidrBlock: [], tags: [] },
    protect: true,
    ignoreChanges: ["tags"],
  });
  const root = reg({ urn: STACK, type: "pulumi:pulumi:Stack", name: "platform-dev", custom: false, wireOutputs: { vpcId: "vpc-0123456789abcdef0" } });
  const built = buildDeployment({
    stack: "dev",
    project: "platform",
    config: { "aws:region": "ap-northeast-2", "platform:x": "1" },
    registrations: [vpc, root],
    invokes: [{ token: "aws:index/getAvailabilityZones:getAvailabilityZones", version: "7.48.0" }],
    engineVersion: "3.248.0",
  });
  const resources = built.deployment.deployment.resources!;

  it("validates against Pulumi's schemas", () => {
    expect(deploymentValidator()(built.deployment)).to.deep.equal([]);
  });

  it("orders the root Stack first, the default provider before its resources", () => {
    expect(resources.map((r) => r.urn)).to.deep.equal([
      STACK,
      "urn:pulumi:dev::platform::pulumi:providers:aws::default_7_48_0",
      "urn:pulumi:dev::platform::aws:ec2/vpc:Vpc::vpc",
    ]);
  });

  it("adds the default provider with the package's config and version, and references it", () => {
    const provider = resources[1];
    expect(provider.inputs).to.deep.equal({ region: "ap-northeast-2", version: "7.48.0" });
    expect(provider.id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(resources[2].provider).to.equal(`${provider.urn}::${provider.id}`);
  });

  it("writes fields in ResourceV3 order, sorts map keys, omits empty values", () => {
    expect(Object.keys(resources[2])).to.deep.equal([
      "urn",
      "custom",
      "id",
      "type",
      "inputs",
      "outputs",
      "parent",
      "protect",
      "provider",
      "propertyDependencies",
    ]);
    expect(Object.keys(resources[2].inputs!)).to.deep.equal(["cidrBlock", "password", "tags"]);
    expect(Object.keys(resources[2].inputs!.tags as object)).to.deep.equal(["a", "b"]);
    expect(Object.keys(resources[0])).to.deep.equal(["urn", "custom", "type", "outputs"]);
  });

  it("never writes a secret's plaintext", () => {
    const digest = createHash("sha256").update('"hunter2"').digest("hex");
    expect(resources[2].inputs!.password).to.deep.equal({ [SIG_KEY]: SECRET_SIG, ciphertext: `offline-plan:sha256:${digest}` });
    expect(serializeDeployment(built.deployment)).not.to.contain("hunter2");
  });

  it("keeps options the schema has no field for beside the document", () => {
    expect(built.options).to.deep.equal({ [vpc.urn]: { ignoreChanges: ["tags"] } });
  });

  it("writes the manifest with Go's zero time, a version and its sha256 magic", () => {
    const m = built.deployment.deployment.manifest;
    expect(m.time).to.equal("0001-01-01T00:00:00Z");
    expect(m.version).to.equal("v3.248.0+offline-plan");
    expect(m.magic).to.equal(createHash("sha256").update("v3.248.0+offline-plan").digest("hex"));
    expect(manifestMagic("")).to.equal("");
    expect(m.plugins).to.deep.equal([{ name: "aws", path: "", type: "resource", version: "7.48.0" }]);
  });

  it("serializes as stack export does: four spaces, trailing newline", () => {
    const text = serializeDeployment(built.deployment);
    expect(text.startsWith('{\n    "version": 3,\n    "deployment": {\n        "manifest": {')).to.equal(true);
    expect(text.endsWith("}\n")).to.equal(true);
  });

  it("names default providers by version as the engine does", () => {
    expect(defaultProviderName("7.48.0")).to.equal("default_7_48_0");
    expect(defaultProviderName("3.9.0-alpha.1")).to.equal("default_3_9_0_alpha_1");
    expect(defaultProviderName(undefined)).to.equal("default");
  });

  it("converts wire values, keeping unknowns and resource references as they are", () => {
    expect(toStateValue({ b: [1, null], a: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" })).to.deep.equal({
      a: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
      b: [1, null],
    });
  });

  it("sorts topologically whatever the input order, and refuses cycles", () => {
    const a = { urn: "urn:pulumi:s::p::t:t:T::a", custom: true, type: "t:t:T" };
    const b = { ...a, urn: "urn:pulumi:s::p::t:t:T::b", dependencies: [a.urn] };
    const c = { ...a, urn: "urn:pulumi:s::p::t:t:T::c", parent: b.urn };
    fc.assert(
      fc.property(fc.shuffledSubarray([a, b, c], { minLength: 3, maxLength: 3 }), (list) => {
        return topologicalOrder(list).map((r) => r.urn).join(",") === [a.urn, b.urn, c.urn].join(",");
      }),
    );
    expect(() => topologicalOrder([{ ...a, dependencies: [b.urn] }, b])).to.throw(/Dependency cycle among/);
  });
});

describe("vendored Pulumi schemas", () => {
  const shared = path.join(__dirname, "..", "..", "..", "shared", "reference", "pulumi-schemas");
  // sha256 of the copies taken from shared/reference/pulumi-schemas (Pulumi's apitype schemas).
  const SHA256: Record<string, string> = {
    "deployments.json": "a98e3d24feb7bd94a99e96f869dd2a9db81d518b65a190f6de92deec6996fe48",
    "resources.json": "9e99fac7e319c10b3ac6f09361e29a89b4c81164a399a380aa89f5f9dd4618e1",
    "property-values.json": "5baecea71702c23b77fc82e4e87eaa66346697f527ba987a1a5a48fb00055fc3",
  };
  for (const [file, sha] of Object.entries(SHA256)) {
    it(`${file} is the verbatim copy${fs.existsSync(shared) ? " of shared/reference/pulumi-schemas" : ""}`, () => {
      const text = fs.readFileSync(path.join(SCHEMA_DIR, file), "utf8");
      expect(createHash("sha256").update(text).digest("hex")).to.equal(sha);
      if (fs.existsSync(shared)) expect(text).to.equal(fs.readFileSync(path.join(shared, file), "utf8"));
    });
  }

  it("rejects a resource with a field the schema does not define", () => {
    const doc = { version: 3, deployment: { manifest: { time: "0001-01-01T00:00:00Z", magic: "", version: "" }, resources: [{ urn: "u", retainOnDelete: true }] } };
    expect(deploymentValidator()(doc)).to.include("/deployment/resources/0 must NOT have additional properties");
  });
});

describe("replace-on-change table", () => {
  const table = loadReplaceTable();
  it("every alias points at a type the table describes, every dangerous type is described", () => {
    for (const target of Object.values(table.aliases)) expect(table.types[target], target).to.not.equal(undefined);
    for (const t of Object.keys(table.dangerous)) expect(ruleFor(table, t), t).to.not.equal(undefined);
  });

  it("covers the resource types the brief says the program creates", () => {
    const expected = [
      "aws:ec2/route:Route",
      "aws:ec2/networkAclRule:NetworkAclRule",
      "aws:ec2/networkAclAssociation:NetworkAclAssociation",
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
      "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
      "aws:ec2/flowLog:FlowLog",
      "aws:cloudwatch/logGroup:LogGroup",
      "aws:iam/role:Role",
      "aws:iam/rolePolicy:RolePolicy",
      "aws:iam/policy:Policy",
      "aws:ec2/launchTemplate:LaunchTemplate",
      "aws:autoscaling/group:Group",
      "aws:ec2/instance:Instance",
      "aws:ec2/vpcEndpoint:VpcEndpoint",
      "aws:lb/loadBalancer:LoadBalancer",
      "aws:lb/listener:Listener",
      "aws:lb/listenerRule:ListenerRule",
      "aws:lb/targetGroup:TargetGroup",
      "aws:acm/certificate:Certificate",
      "aws:acm/certificateValidation:CertificateValidation",
      "aws:route53/record:Record",
      "aws:s3/bucket:Bucket",
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      "aws:ecs/cluster:Cluster",
      "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
      "aws:ecs/taskDefinition:TaskDefinition",
      "aws:ecs/service:Service",
      "aws:appautoscaling/target:Target",
      "aws:appautoscaling/policy:Policy",
      "aws:rds/cluster:Cluster",
      "aws:rds/clusterInstance:ClusterInstance",
      "aws:rds/subnetGroup:SubnetGroup",
      "aws:rds/clusterParameterGroup:ClusterParameterGroup",
      "aws:rds/parameterGroup:ParameterGroup",
      "aws:kms/key:Key",
      "aws:kms/alias:Alias",
      "aws:ec2/vpcPeeringConnection:VpcPeeringConnection",
      "awsx:ecr:Repository",
      "awsx:ecr:Image",
    ];
    expect(expected.filter((t) => !ruleFor(table, t))).to.deep.equal([]);
  });
});
