import { bool, DeploymentGraph, list, num, prop, str } from "../cost/graph";
import { nameInStack, onOff, type SettingGroup } from "./parity";

type Add = (group: SettingGroup, label: string, resource: string, value: string, strength?: number) => void;

/**
 * The session store's parity rows (group "Cache"), one set per ElastiCache replication group:
 * engine and version, node type, nodes, Multi-AZ, automatic failover, snapshot retention, final
 * snapshot, encryption at rest and in transit, and how clients authenticate. Strengths make a
 * weaker stack stand out (fewer nodes, no failover, shorter retention, no encryption, no auth).
 */
export function cacheSettings(g: DeploymentGraph, stack: string, add: Add): void {
  for (const rg of g.ofType("aws:elasticache/replicationGroup:ReplicationGroup")) {
    const name = nameInStack(rg, stack);
    add("Cache", "Engine", name, [str(prop(rg, "engine")), str(prop(rg, "engineVersion"))].filter((x) => !!x).join(" ") || "?");
    add("Cache", "Node type", name, str(prop(rg, "nodeType")) ?? "?");
    const nodes = num(prop(rg, "numCacheClusters")) ?? 1;
    add("Cache", "Nodes", name, nodes === 1 ? "1 (primary only)" : `${nodes} (primary + ${nodes - 1} replica${nodes === 2 ? "" : "s"})`, nodes);
    const multiAz = bool(prop(rg, "multiAzEnabled")) ?? false;
    add("Cache", "Multi-AZ", name, onOff(multiAz), multiAz ? 1 : 0);
    const failover = bool(prop(rg, "automaticFailoverEnabled")) ?? false;
    add("Cache", "Automatic failover", name, onOff(failover), failover ? 1 : 0);
    // Unset: no automatic snapshots.
    const retention = num(prop(rg, "snapshotRetentionLimit")) ?? 0;
    add("Cache", "Snapshot retention", name, retention === 0 ? "off" : `${retention} day${retention === 1 ? "" : "s"}`, retention);
    const finalSnapshot = str(prop(rg, "finalSnapshotIdentifier")) !== undefined;
    add("Cache", "Final snapshot", name, onOff(finalSnapshot), finalSnapshot ? 1 : 0);
    const atRest = bool(prop(rg, "atRestEncryptionEnabled")) ?? str(prop(rg, "atRestEncryptionEnabled")) === "true";
    const cmk = str(prop(rg, "kmsKeyId")) !== undefined;
    add("Cache", "Encryption at rest", name, atRest ? (cmk ? "on (customer-managed key)" : "on (AWS-owned key)") : "off", atRest ? (cmk ? 2 : 1) : 0);
    const tls = bool(prop(rg, "transitEncryptionEnabled")) ?? false;
    const mode = str(prop(rg, "transitEncryptionMode"));
    add("Cache", "Encryption in transit", name, tls ? `on (${mode ?? "required"})` : "off", tls ? (mode === "preferred" ? 1 : 2) : 0);
    const groups = list(prop(rg, "userGroupIds"))?.length ?? 0;
    const token = prop(rg, "authToken") !== undefined;
    add("Cache", "Authentication", name, groups > 0 ? "RBAC user group (IAM)" : token ? "AUTH token" : "none", groups > 0 || token ? 1 : 0);
  }
}
