import { expect } from "chai";
import { flowLogDeliveryPolicy } from "../../../infra/shared/policy-documents";

describe("shared/policy-documents: flowLogDeliveryPolicy", () => {
  for (const [partition, region] of [
    ["aws", "ap-northeast-2"],
    ["aws-cn", "cn-north-1"],
    ["aws-us-gov", "us-gov-west-1"],
  ] as const) {
    it(`with a ${partition} log group, grants delivery on the group and DescribeLogGroups on ${partition}'s log-group space of its account and region`, () => {
      const arn = `arn:${partition}:logs:${region}:123456789012:log-group:/platform/dev/vpc-flow-logs`;
      expect(flowLogDeliveryPolicy(arn)).to.deep.equal({
        Version: "2012-10-17",
        Statement: [
          { Sid: "Deliver", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [arn, `${arn}:*`] },
          { Sid: "FindGroup", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: `arn:${partition}:logs:${region}:123456789012:log-group:*` },
        ],
      });
    });
  }

  it("covers every action of AWS's documented flow-log policy except CreateLogGroup (the group is pre-created)", () => {
    const documented = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"];
    const granted = flowLogDeliveryPolicy("arn:aws:logs:ap-northeast-2:123456789012:log-group:g").Statement.flatMap((s) => s.Action);
    expect(documented.filter((a) => !granted.includes(a))).to.deep.equal(["logs:CreateLogGroup"]);
  });

  it("fails on an ARN that is not a log group's (a stream, another service)", () => {
    for (const bad of ["arn:aws:logs:ap-northeast-2:123456789012:log-group:g:*", "arn:aws:s3:::bucket"]) {
      expect(() => flowLogDeliveryPolicy(bad)).to.throw(
        `flowLogDeliveryPolicy: "${bad}" is not a CloudWatch Logs log group ARN (arn:<partition>:logs:<region>:<account>:log-group:<name>)`,
      );
    }
  });
});
