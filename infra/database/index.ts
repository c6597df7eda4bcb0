export * from "./config";
export * from "./plan";
export { Aurora, AuroraArgs, AuroraServerlessCapacity } from "./component";
