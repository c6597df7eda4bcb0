export * from "./cidr";
export * from "./config";
export * from "./nacl";
export * from "./plan";
export { DEFAULT_DATABASE_PORT, Vpc, VpcArgs } from "./component";
