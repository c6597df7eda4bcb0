// Program entry point (Pulumi.yaml `main`). Config is read and validated before anything is
// registered: a bad stack file fails with one message listing every problem, and nothing is
// half-created.
import { loadConfig } from "./config";
import { buildPlatform } from "./platform";

export = async () => buildPlatform(loadConfig());
