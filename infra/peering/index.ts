export * from "./config";
export * from "./plan";
export * from "./shared-stack";
export { ManagementPeering, ManagementPeeringArgs } from "./component";
