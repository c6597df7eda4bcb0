export * from "./config";
export * from "./names";
export * from "./plan";
export { ACCESS_LOG_PREFIX, AlbCertificate, DEFAULT_RESPONSE, LoadBalancer, LoadBalancerArgs } from "./alb";
export { EcsCluster, EcsClusterArgs } from "./cluster";
export { FargateService, FargateServiceArgs, ImageSource, ServiceAutoscaling, ServiceDatabase } from "./service";
export { AppTier, AppTierInputs, appNetworkIntents, buildAppTier, servicePhysicalNames } from "./tier";
