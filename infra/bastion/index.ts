export * from "./config";
export { Bastion, BastionArgs } from "./component";
