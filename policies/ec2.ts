import { Policies } from "@pulumi/policy";
import { decodeBase64 } from "./lib/base64";
import { ResourceCheck, resourcePolicy } from "./lib/define";
import { list, obj } from "./lib/props";
import { launchedRole } from "./lib/tags";
import { T } from "./lib/types";
import { isPresent } from "./lib/unknowns";

/**
 * EC2 instances and launch templates: the bastion (launch template + auto scaling group) and the
 * NAT instance of cheap environments.
 */

/** Launch template booleans are strings ("true"/"false") in the provider schema. */
function truthy(v: unknown): boolean {
  return v === true || v === "true";
}

function what(r: ResourceCheck<unknown>): string {
  return r.type === T.launchTemplate ? "Launch template" : "Instance";
}

export const instanceRequireImdsv2 = resourcePolicy({
  name: "ec2-instance-require-imdsv2",
  description: "Instances and launch templates must require IMDSv2 session tokens.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["18"],
  types: [T.instance, T.launchTemplate],
  validate: (r, report) => {
    const m = obj(r.props.metadataOptions);
    if (m?.httpEndpoint === "disabled") return;
    if (m?.httpTokens !== "required") {
      // Unset means "whatever the AMI says", which for many AMIs is IMDSv1.
      report(`${what(r)} does not require IMDSv2; set metadataOptions.httpTokens: "required".`);
    }
  },
});

export const instanceConfigureImdsHopLimit = resourcePolicy<{ maximumHopLimit: number }>({
  name: "ec2-instance-configure-imds-hop-limit",
  description: "The instance metadata response hop limit should be 1, so containers on the host cannot reach the metadata service.",
  enforcementLevel: "advisory",
  category: "security",
  severity: "low",
  catalog: ["19"],
  configSchema: { properties: { maximumHopLimit: { type: "integer", minimum: 1, maximum: 64, default: 1 } } },
  defaults: { maximumHopLimit: 1 },
  types: [T.instance, T.launchTemplate],
  validate: (r, report) => {
    const m = obj(r.props.metadataOptions);
    const hop = m?.httpPutResponseHopLimit;
    if (m?.httpEndpoint === "disabled") return;
    if (typeof hop !== "number" || hop > r.config.maximumHopLimit) {
      report(`${what(r)} allows a metadata hop limit above ${r.config.maximumHopLimit}; set metadataOptions.httpPutResponseHopLimit: ${r.config.maximumHopLimit}.`);
    }
  },
});

export const instanceDisallowPublicIp = resourcePolicy<{ allowedRoles: string[] }>({
  name: "ec2-instance-disallow-public-ip",
  description: "Instances must not get a public IPv4 address, except for roles a stack explicitly exempts (the NAT instance).",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["20", "X12"],
  configSchema: {
    properties: {
      allowedRoles: {
        type: "array",
        items: { type: "string" },
        default: ["nat"],
        description: "Values of the Role tag that may have a public IP (a public bastion must be listed here explicitly).",
      },
    },
  },
  defaults: { allowedRoles: ["nat"] },
  types: [T.instance, T.launchTemplate],
  validate: (r, report) => {
    const role = launchedRole(r.type, r.props, () => r.tags());
    if (role !== undefined && r.config.allowedRoles.includes(role)) return;
    const publicIp =
      r.type === T.instance
        ? r.props.associatePublicIpAddress === true
        : list(r.props.networkInterfaces).some((ni) => truthy(ni.associatePublicIpAddress));
    if (publicIp) {
      report(
        `${what(r)} gets a public IPv4 address; launch it without one and reach it through Session Manager, ` +
          `or exempt its Role tag in this stack's policy config.`,
      );
    }
  },
});

export const instanceRequireEncryptedVolumes = resourcePolicy({
  name: "ec2-instance-require-encrypted-volumes",
  description: "Every EBS volume of an instance, launch template or standalone volume must be encrypted.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "high",
  catalog: ["21"],
  types: [T.instance, T.launchTemplate, T.ebsVolume],
  validate: (r, report) => {
    if (r.type === T.ebsVolume) {
      if (r.props.encrypted !== true) report("EBS volume is not encrypted; set encrypted: true.");
      return;
    }
    if (r.type === T.instance) {
      if (obj(r.props.rootBlockDevice)?.encrypted !== true) {
        report("Instance root volume is not encrypted; set rootBlockDevice.encrypted: true.");
      }
      list(r.props.ebsBlockDevices).forEach((d) => {
        if (d.encrypted !== true) report(`EBS volume ${String(d.deviceName ?? "")} is not encrypted; set encrypted: true on every ebsBlockDevices entry.`);
      });
      return;
    }
    const mappings = list(r.props.blockDeviceMappings).filter((m) => obj(m.ebs) !== undefined);
    if (mappings.length === 0) {
      report("Launch template does not declare its volumes, so they inherit the AMI's (unencrypted) snapshot settings; add blockDeviceMappings with ebs.encrypted: \"true\".");
    }
    for (const m of mappings) {
      if (!truthy(obj(m.ebs)?.encrypted)) {
        report(`Launch template volume ${String(m.deviceName ?? "")} is not encrypted; set ebs.encrypted: "true".`);
      }
    }
  },
});

export const instanceEnableDetailedMonitoring = resourcePolicy({
  name: "ec2-instance-enable-detailed-monitoring",
  description: "Instances should have detailed (one-minute) CloudWatch monitoring.",
  enforcementLevel: "advisory",
  category: "operations",
  severity: "low",
  catalog: ["22"],
  types: [T.instance, T.launchTemplate],
  validate: (r, report) => {
    const on = r.type === T.instance ? r.props.monitoring === true : obj(r.props.monitoring)?.enabled === true;
    if (!on) report(`${what(r)} has detailed monitoring off; set monitoring to enabled for one-minute metrics.`);
  },
});

export const instanceRequireInstanceProfile = resourcePolicy({
  name: "ec2-instance-require-instance-profile",
  description: "Instances must run with an instance profile (a role), never with static credentials.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "medium",
  catalog: ["23"],
  types: [T.instance, T.launchTemplate],
  validate: (r, report) => {
    const set =
      r.type === T.instance
        ? isPresent(r.props, "iamInstanceProfile")
        : (() => {
            const p = obj(r.props.iamInstanceProfile);
            return p !== undefined && (isPresent(p, "arn") || isPresent(p, "name"));
          })();
    if (!set) report(`${what(r)} has no instance profile; attach a role through iamInstanceProfile (Session Manager needs one too).`);
  },
});

/** Patterns of secrets in user data. Kept conservative: each is a real credential shape. */
export const SECRET_PATTERNS: ReadonlyArray<{ what: string; re: RegExp }> = [
  { what: "an AWS access key id", re: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { what: "an AWS secret access key", re: /aws_secret_access_key\s*[=:]/i },
  { what: "a private key", re: /-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/ },
  { what: "a password or token assignment", re: /\b[A-Z0-9_]*(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY)[A-Z0-9_]*\s*=\s*['"]?[^\s'"$]{6,}/i },
];

export const instanceDisallowSecretsInUserData = resourcePolicy({
  name: "ec2-instance-disallow-secrets-in-user-data",
  description: "User data must not contain credentials or secrets.",
  enforcementLevel: "mandatory",
  category: "security",
  severity: "critical",
  catalog: ["24"],
  types: [T.instance, T.launchTemplate],
  validate: (r, report) => {
    const texts: string[] = [];
    for (const key of ["userData", "userDataBase64"]) {
      const v = r.props[key];
      if (typeof v !== "string" || v === "") continue;
      // Launch templates and userDataBase64 hold base64; Instance.userData holds the script.
      const decoded = r.type === T.launchTemplate || key === "userDataBase64" ? decodeBase64(v) : undefined;
      texts.push(decoded ?? v);
    }
    for (const text of texts) {
      for (const p of SECRET_PATTERNS) {
        if (p.re.test(text)) {
          report(`User data contains ${p.what}; fetch secrets at boot from Secrets Manager or SSM Parameter Store through the instance role.`);
        }
      }
    }
  },
});

export const policies: Policies = [
  instanceRequireImdsv2,
  instanceConfigureImdsHopLimit,
  instanceDisallowPublicIp,
  instanceRequireEncryptedVolumes,
  instanceEnableDetailedMonitoring,
  instanceRequireInstanceProfile,
  instanceDisallowSecretsInUserData,
];
