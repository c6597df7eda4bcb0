import { expect } from "chai";
import { dangerOf, loadReplaceTable, replacesOnChange, ruleFor } from "../../cli/diff/table";

/**
 * The replace-on-change rows of the kinds issues #15 and #16 added (edge, releases, session store,
 * office VPN): each has an entry with its source note, one input that replaces and one that
 * updates in place, as the entry's note says terraform-provider-aws decides. (That every type the
 * shipped stacks plan has an entry is checked in test/cli/plan.test.ts and test/docs/coverage.test.ts;
 * ElastiCache's rows in detail in test/cli/diff-cache.test.ts.)
 */

/** type → [an input whose change replaces (or undefined: none does), an input that updates in place (or undefined: none)]. */
const NEW_KINDS: ReadonlyArray<readonly [type: string, replaces: string | undefined, inPlace: string | undefined]> = [
  ["aws:cloudfront/distribution:Distribution", undefined, "origins"],
  ["aws:cloudfront/function:Function", "name", "code"],
  ["aws:cloudfront/originAccessControl:OriginAccessControl", undefined, "signingBehavior"],
  ["aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", undefined, "securityHeadersConfig"],
  ["aws:wafv2/webAcl:WebAcl", "scope", "rules"],
  ["aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "resourceArn", "logDestinationConfigs"],
  ["aws:cloudwatch/logDelivery:LogDelivery", "deliverySourceName", "recordFields"],
  ["aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination", "outputFormat", "deliveryDestinationConfiguration"],
  ["aws:cloudwatch/logDeliverySource:LogDeliverySource", "resourceArn", undefined],
  ["aws:ec2/customerGateway:CustomerGateway", "ipAddress", undefined],
  ["aws:ec2/vpnGateway:VpnGateway", "amazonSideAsn", "vpcId"],
  ["aws:ec2/vpnConnection:VpnConnection", "staticRoutesOnly", "customerGatewayId"],
  ["aws:ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation", "routeTableId", undefined],
  ["aws:elasticache/replicationGroup:ReplicationGroup", "atRestEncryptionEnabled", "nodeType"],
  ["aws:elasticache/subnetGroup:SubnetGroup", "name", "subnetIds"],
  ["aws:elasticache/parameterGroup:ParameterGroup", "family", "parameters"],
  ["aws:elasticache/user:User", "userName", "accessString"],
  ["aws:elasticache/userGroup:UserGroup", "engine", "userIds"],
  ["random:index/randomPassword:RandomPassword", "length", undefined],
];

describe("replace-on-change: the kinds of issues #15 and #16", () => {
  const table = loadReplaceTable();
  const verdict = (type: string, path: string) => replacesOnChange(table, type, path).replaces;

  for (const [type, replaces, inPlace] of NEW_KINDS) {
    it(`${type}: has an entry with a source note${replaces ? `, replaces on ${replaces}` : ""}${inPlace ? `, updates ${inPlace} in place` : ""}`, () => {
      const rule = ruleFor(table, type);
      expect(rule, type).to.not.equal(undefined);
      // A row that claims to be verified names the provider source file it was read in.
      expect(rule!.note?.length ?? 0, type).to.be.greaterThan(20);
      if (rule!.verified !== false) expect(rule!.note, type).to.match(/internal\/service\/\w+\/\w+\.go/);
      if (replaces) expect(verdict(type, replaces), `${type} ${replaces}`).to.equal(true);
      if (inPlace) expect(verdict(type, inPlace), `${type} ${inPlace}`).to.equal(false);
      // Tags never replace, whatever the entry says.
      expect(verdict(type, "tags")).to.equal(false);
    });
  }

  it("updates a web ACL in place but replaces it on a new name or name prefix (internal/service/wafv2/web_acl.go)", () => {
    expect(["name", "namePrefix", "scope", "rules", "defaultAction"].map((p) => verdict("aws:wafv2/webAcl:WebAcl", p))).to.deep.equal([true, true, true, false, false]);
  });

  it("flags a replaced VPN connection, distribution, session store or origin secret as dangerous, and names what is lost", () => {
    expect(dangerOf(table, "aws:ec2/vpnConnection:VpnConnection")).to.equal(
      "Site-to-Site VPN connection: its two tunnel outside addresses and pre-shared keys, which the office's device is configured with (docs/vpn.md)",
    );
    expect(dangerOf(table, "aws:cloudfront/distribution:Distribution")).to.equal("CloudFront distribution: its domain name (the aliases point at it) and the edge caches");
    expect(dangerOf(table, "aws:elasticache/replicationGroup:ReplicationGroup")).to.contain("session store");
    expect(dangerOf(table, "random:index/randomPassword:RandomPassword")).to.contain("origin secret");
    expect(dangerOf(table, "aws:ec2/customerGateway:CustomerGateway")).to.equal(undefined);
  });
});
