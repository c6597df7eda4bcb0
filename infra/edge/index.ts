export * from "./config";
export * from "./plan";
export { Edge, EdgeArgs } from "./component";
