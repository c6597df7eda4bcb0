export * from "./config";
export * from "./plan";
export { SessionStore, SessionStoreArgs } from "./component";
