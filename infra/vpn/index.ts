export * from "./config";
export * from "./plan";
export * from "./component";
