// Program entry point: package.json `main` (Pulumi.yaml has none; see the comment there). Config
// is read and validated before anything is registered: a bad stack file fails with one message
// listing every problem, and nothing is half-created.
import { loadConfig } from "./config";
import { buildPlatform } from "./platform";

export = async () => buildPlatform(loadConfig());
