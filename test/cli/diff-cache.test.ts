import { expect } from "chai";
import { dangerOf, loadReplaceTable, replacesOnChange } from "../../cli/diff/table";

const RG = "aws:elasticache/replicationGroup:ReplicationGroup";

/** The session store's replace-on-change rows (terraform-provider-aws internal/service/elasticache/*.go). */
describe("replace-on-change: ElastiCache", () => {
  const table = loadReplaceTable();
  const verdict = (type: string, path: string, ctx = {}) => replacesOnChange(table, type, path, ctx).replaces;

  for (const p of ["atRestEncryptionEnabled", "kmsKeyId", "subnetGroupName", "replicationGroupId", "port"]) {
    it(`replaces the replication group when ${p} changes`, () => expect(verdict(RG, p)).to.equal(true));
  }
  for (const p of ["nodeType", "numCacheClusters", "engineVersion", "multiAzEnabled", "automaticFailoverEnabled", "snapshotRetentionLimit", "userGroupIds", "logDeliveryConfigurations", "parameterGroupName"]) {
    it(`updates the replication group in place when ${p} changes`, () => expect(verdict(RG, p)).to.equal(false));
  }

  it("upgrades Redis OSS to Valkey in place, replaces on the way back", () => {
    expect(verdict(RG, "engine", { oldValue: "redis", newValue: "valkey" })).to.equal(false);
    expect(verdict(RG, "engine", { oldValue: "valkey", newValue: "redis" })).to.equal(true);
  });

  it("replaces users on a new id or name, user groups on a new engine, parameter groups on a new family", () => {
    expect([verdict("aws:elasticache/user:User", "userName"), verdict("aws:elasticache/user:User", "accessString")]).to.deep.equal([true, false]);
    expect([verdict("aws:elasticache/userGroup:UserGroup", "engine"), verdict("aws:elasticache/userGroup:UserGroup", "userIds")]).to.deep.equal([true, false]);
    expect([verdict("aws:elasticache/parameterGroup:ParameterGroup", "family"), verdict("aws:elasticache/parameterGroup:ParameterGroup", "parameters")]).to.deep.equal([true, false]);
    expect([verdict("aws:elasticache/subnetGroup:SubnetGroup", "name"), verdict("aws:elasticache/subnetGroup:SubnetGroup", "subnetIds")]).to.deep.equal([true, false]);
  });

  it("flags a replaced or deleted replication group as dangerous", () => {
    expect(dangerOf(table, RG)).to.equal("ElastiCache replication group: the session store (every signed-in user's session) and its endpoint");
  });
});
