import { CACHE_PORT } from "../../infra/cache/plan";
import { PlatformConfig, parseConfig } from "../../infra/config";
import { resolvedPort } from "../../infra/database/config";
import { planNetwork } from "../../infra/network/plan";
import { managementPeer } from "../../infra/peering/config";
import { STACK_ORDER, isShippedStack } from "../../infra/stacks";
import { engineConfigFor } from "../evaluate/stack-config";
import { architectureFromPlan } from "./from-plan";
import type { ReachDocument } from "./index";
import { ALB_LISTENER_PORTS, Architecture, DB_BOOTSTRAP } from "./intents";
import { buildModel, resourcesOfDocument } from "./model";
import { isTrafficShift, planRelease } from "../../infra/app/release";

/**
 * The architecture of a stack as its config builds it: the same validated config the program
 * reads (infra/config), and the same port derivation the NACL planner uses.
 */
export function architectureOf(config: PlatformConfig, others: readonly PlatformConfig[] = []): Architecture {
  // As infra/app/tier.ts appNetworkIntents derives them (not imported: it loads @pulumi/aws).
  const ports = {
    databasePort: config.database ? resolvedPort(config.database) : undefined,
  };
  const services = (config.services ?? []).map((s) => ({ name: s.name, port: s.port, database: s.database === true, cache: s.cache === true }));
  const peering = config.peering;
  const peer = peering ? managementPeer(peering) : undefined;
  const peerStack = peer ? peer.stack.split("/").pop() : undefined;
  // The program's own release plan: traffic-shift services get a test listener, admitted from the
  // VPC and their testListenerCidrs (the office).
  const testListeners = (config.services ?? []).flatMap((s) => {
    const release = planRelease(s.deployment, config.network.cidr);
    return isTrafficShift(release)
      ? [{ service: s.name, port: release.testListenerPort, officeCidrs: release.testListenerCidrs.filter((c) => c !== config.network.cidr) }]
      : [];
  });
  return {
    stack: config.stack,
    listenerPorts: services.length > 0 ? ALB_LISTENER_PORTS : [],
    ...(testListeners.length > 0 ? { testListeners } : {}),
    services,
    ...(ports.databasePort !== undefined ? { databasePort: ports.databasePort } : {}),
    // As infra/app/tier.ts appNetworkIntents: the session store's fixed port when platform:cache is set.
    ...(config.cache ? { cachePort: CACHE_PORT } : {}),
    // As infra/app/tier.ts creates the bootstrap task: a database and a service that uses it.
    tasks: ports.databasePort !== undefined && services.some((s) => s.database) ? [DB_BOOTSTRAP] : [],
    interfaceEndpoints: config.network.interfaceEndpoints ?? [],
    nat: config.network.natStrategy !== "none",
    ...(config.bastion.enabled ? { bastion: { sshCidrs: config.bastion.sshCidrs ?? [] } } : {}),
    ...(peering && peerStack
      ? {
          management: {
            stack: peerStack,
            managementTo: peering.managementTo,
            toManagement: peering.toManagement,
            toManagementPorts: peering.toManagementPorts,
          },
        }
      : {}),
    // The office VPN: the management stack's own offices, or, in an environment, those of the
    // management stack it peers with (which must not reach it).
    ...officesOf(config, others, peerStack),
    // As infra/app/tier.ts builds the edge: an enabled platform:edge section.
    ...(config.edge?.enabled ? { edge: { enabled: true as const } } : {}),
    // Environments are the stacks peered with a management VPC; the management stack itself is
    // reached through peering intents, not listed here.
    otherEnvironments: others
      .filter((o) => o.stack !== config.stack && o.peering !== undefined && config.peering !== undefined)
      .map((o) => ({ stack: o.stack, tierCidrs: planNetwork(o.network.cidr, o.network.azCount).tierCidrs })),
  };
}

function officesOf(config: PlatformConfig, others: readonly PlatformConfig[], peerStack: string | undefined): Pick<Architecture, "offices"> {
  const home = config.vpn ? config : others.find((o) => o.stack === peerStack && o.vpn !== undefined);
  if (!home?.vpn) return {};
  const { access } = home.vpn;
  return { offices: home.vpn.offices.map((o) => ({ name: o.name, stack: home.stack, cidrs: [...o.cidrs], ports: [...access.ports] })) };
}

/** The shipped stack's architecture, with the other shipped stacks as "other environments". */
export function shippedArchitecture(stack: string): Architecture {
  const config = parseConfig(stack, "platform", engineConfigFor(stack));
  const others = STACK_ORDER.filter((s) => s !== stack).map((s) => parseConfig(s, "platform", engineConfigFor(s)));
  return architectureOf(config, others);
}

/**
 * The architecture `platform reach` checks: from the stack's config when it is a shipped stack,
 * else read back from its plan (./from-plan.ts).
 */
export function architectureFor(stack: string, doc: ReachDocument, others: readonly ReachDocument[] = []): Architecture {
  if (isShippedStack(stack)) return shippedArchitecture(stack);
  const resources = [doc, ...others].flatMap((d) => resourcesOfDocument(d));
  return architectureFromPlan(stack, buildModel(resources), resources);
}
