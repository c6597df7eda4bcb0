export * from "./config";
export * from "./plan";
export { Aurora, AuroraArgs, AuroraServerlessCapacity } from "./component";
export { BOOTSTRAP_CONTAINER, BOOTSTRAP_CONTEXT, BOOTSTRAP_CPU, BOOTSTRAP_MEMORY, DatabaseBootstrap, DatabaseBootstrapArgs, bootstrapExecutionPolicy } from "./bootstrap";
