// Only awsx's ECR module: the package index also loads awsx.classic, which pulls in the AWS SDK v3
// ECS client, the classic Docker helpers and ~100 modules (~190 ms of every `pulumi up` and plan) for
// code this program never calls. The components are the same remote awsx:ecr:* resources.
import * as ecr from "@pulumi/awsx/ecr";
import * as pulumi from "@pulumi/pulumi";

export interface BuiltImageArgs {
  readonly repositoryName: string;
  /** Docker context relative to the repository root (it holds the Dockerfile). */
  readonly context: string;
  readonly architecture: "X86_64" | "ARM64";
  /** Let `pulumi destroy` delete the repository while it still holds images. */
  readonly forceDelete: boolean;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * An ECR repository (scan on push, the 30 most recent images kept) and an image built from a
 * context in this repository and pushed to it; returns the pushed image's digest reference. Used by
 * every image the platform builds (services with `build`, the database bootstrap task), so they
 * share one supply chain: a Dockerfile reviewed in this repository, scanned in ECR.
 *
 * Children: `<name>-repo`, `<name>-image`.
 */
export function buildImage(name: string, args: BuiltImageArgs, parent: pulumi.Resource): pulumi.Output<string> {
  const repo = new ecr.Repository(
    `${name}-repo`,
    {
      name: args.repositoryName,
      forceDelete: args.forceDelete,
      imageScanningConfiguration: { scanOnPush: true },
      imageTagMutability: "MUTABLE",
      // Keep the last 30 images (not awsx's "untagged after 1 day"): a circuit-breaker rollback
      // or a pipeline rollback needs the previous digests to still exist.
      lifecyclePolicy: { rules: [{ description: "Keep the 30 most recent images", tagStatus: "any", maximumNumberOfImages: 30 }] },
      tags: { ...args.tags, Name: `${name}-repo` },
    },
    { parent },
  );
  const built = new ecr.Image(
    `${name}-image`,
    {
      repositoryUrl: repo.url,
      context: args.context,
      platform: args.architecture === "ARM64" ? "linux/arm64" : "linux/amd64",
    },
    { parent },
  );
  return built.imageUri;
}
