import { z } from "zod";
import { ConfigProblem } from "../config/problems";
import { parseCidr } from "../network/cidr";

export const DEFAULT_BASTION_INSTANCE_TYPE = "t4g.nano";
export const DEFAULT_BASTION_VOLUME_GIB = 8;

export const BastionConfigSchema = z.strictObject({
  /** Create the bastion in this stack. @default false (the shared stack enables it) */
  enabled: z.boolean().default(false),
  /** A Graviton (arm64) type: the AMI lookup asks for arm64. @default "t4g.nano" */
  instanceType: z.string().default(DEFAULT_BASTION_INSTANCE_TYPE),
  /** Root volume size (GiB, gp3, encrypted). AL2023's image needs 8. @default 8 */
  volumeSize: z.number().int().min(8).max(100).default(DEFAULT_BASTION_VOLUME_GIB),
  /**
   * Office CIDRs allowed to SSH in. Empty means Session Manager only: no inbound rule at all and
   * the bastion stays in a private subnet. Non-empty moves it to a public subnet with a public IP.
   * @default []
   */
  sshCidrs: z.array(z.string()).default([]),
});
export type BastionConfig = z.infer<typeof BastionConfigSchema>;

export function validateBastionConfig(bastion: BastionConfig, file: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  bastion.sshCidrs.forEach((cidr, i) => {
    const key = `platform:bastion.sshCidrs[${i}]`;
    if (cidr === "0.0.0.0/0" || cidr === "::/0") {
      problems.push({
        key,
        received: cidr,
        allowed: "an office or VPN CIDR, never the whole internet",
        fix: `replace it with your office's egress range (e.g. "203.0.113.0/24"), or remove sshCidrs from ${file} and use Session Manager`,
      });
      return;
    }
    const parsed = parseCidr(cidr);
    if (!parsed) {
      problems.push({ key, received: cidr, allowed: "an IPv4 CIDR such as 203.0.113.0/24", fix: `correct it in ${file}` });
    } else if (parsed.prefix < 16) {
      problems.push({
        key,
        received: cidr,
        allowed: "a range no wider than /16 (an office or VPN, not a provider's whole block)",
        fix: "narrow it to the office's egress range",
      });
    }
  });
  if (!/^[a-z][a-z0-9-]*\d[a-z]*g[a-z]*\.[a-z0-9]+$/.test(bastion.instanceType)) {
    problems.push({
      key: "platform:bastion.instanceType",
      received: bastion.instanceType,
      allowed: "a Graviton (arm64) instance type such as t4g.nano or t4g.micro, because the AMI lookup is arm64",
      fix: `set platform:bastion.instanceType to "t4g.nano"`,
    });
  }
  return problems;
}
