import * as path from "path";

/**
 * The folder the Pulumi CLI runs this program and its provider plugins in: the repository root,
 * because Pulumi.yaml has no `main` (the engine's getPwdMain, pkg/engine/project.go, then keeps the
 * project root as working directory; plugins start with `cmd.Dir = pwd`,
 * sdk/go/common/resource/plugin/plugin.go).
 *
 * Paths the program hands to a provider are resolved by that provider's process against its own
 * working directory, so they are written relative to this folder and checked here. They stay
 * relative on purpose: awsx's ecr.Image hashes the context string into the image name
 * (createUniqueImageName in awsx/ecr/image.ts), so an absolute path would rename the image on
 * every checkout and plans would differ between machines.
 */
export const PROGRAM_DIR = path.resolve(__dirname, "..");

/** Where a provider process resolves `relative` (a build context, a file asset). */
export function resolveProgramPath(relative: string): string {
  return path.resolve(PROGRAM_DIR, relative);
}
