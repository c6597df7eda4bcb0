import type { PropertyMap, ResourceV3 } from "../plan/deployment";

/**
 * The two documents the real Pulumi CLI prints that this tool reads besides its own offline plans,
 * typed after the Go structs that produce them. Read at pulumi/pulumi commit
 * 1b5949891b3cefcb9974752b24a5ecef0acc86c8 (Aug 2026):
 *
 * - `pulumi preview --json` prints `display.PreviewDigest` (pkg/display/json.go), filled in by
 *   `ShowPreviewDigest` / `getPreviewMetadataStep` (pkg/backend/display/json.go). Its states go
 *   through `stateForJSONOutput`, whose `MassageSecrets(…, false)` writes every secret as the plain
 *   string "[secret]", then `stack.SerializeResource(…, showSecrets=false)`: `apitype.ResourceV3`.
 * - `pulumi stack export` prints `apitype.UntypedDeployment{version, features, deployment}` whose
 *   deployment is `apitype.DeploymentV3` (sdk/go/common/apitype/core.go). Version 3 is
 *   `DeploymentSchemaVersionCurrent`; 4 (`DeploymentSchemaVersionLatest`) is written only when a
 *   feature in `features` needs it, with the same `ResourceV3` resources.
 */

/**
 * `display.StepOp` values (pkg/resource/deploy/step.go `Op*` constants, listed in
 * sdk/go/common/apitype/history.go `OpType`).
 */
export const STEP_OPS = [
  "same",
  "create",
  "update",
  "delete",
  "replace",
  "create-replacement",
  "delete-replaced",
  "read",
  "read-replacement",
  "refresh",
  "discard",
  "discard-replaced",
  "remove-pending-replace",
  "import",
  "import-replacement",
] as const;
export type StepOp = (typeof STEP_OPS)[number];

/**
 * Ops whose step removes the resource from the stack: their `newState` is absent. `delete-replaced`
 * and `discard-replaced` remove only the old copy of a replaced resource, whose new copy arrives in
 * the `replace` / `create-replacement` step of the same URN.
 */
export const REMOVING_OPS: ReadonlySet<StepOp> = new Set<StepOp>(["delete", "discard"]);

/** `display.PropertyDiff`: `kind` is `plugin.DiffKind.String()` (sdk/go/common/resource/plugin/provider.go). */
export interface PreviewPropertyDiff {
  readonly kind: string;
  readonly inputDiff: boolean;
}

/** `display.PreviewStep`. `detailedDiff` has no omitempty: it is `null` when the provider gave none. */
export interface PreviewStep {
  readonly op: StepOp;
  readonly urn: string;
  readonly provider?: string;
  readonly oldState?: PreviewResourceV3;
  readonly newState?: PreviewResourceV3;
  readonly diffReasons?: readonly string[];
  readonly replaceReasons?: readonly string[];
  readonly detailedDiff: Readonly<Record<string, PreviewPropertyDiff>> | null;
}

/** `apitype.ResourceV3` as the preview and the export write it (more fields than offline plans use). */
export interface PreviewResourceV3 extends ResourceV3 {
  readonly taint?: boolean;
  readonly ignoreChanges?: string[];
  readonly replaceOnChanges?: string[];
  readonly retainOnDelete?: boolean;
  readonly deletedWith?: string;
  readonly created?: string;
  readonly modified?: string;
  readonly sourcePosition?: string;
}

/** `display.PreviewDiagnostic`; severity is `diag.Severity` ("info", "info#err", "warning", "error"). */
export interface PreviewDiagnostic {
  readonly urn?: string;
  readonly prefix?: string;
  readonly message?: string;
  readonly severity?: string;
}

/** `display.PreviewDigest`. `duration` is a Go `time.Duration`: nanoseconds. */
export interface PreviewDigest {
  readonly config?: Readonly<Record<string, string>>;
  readonly steps?: readonly PreviewStep[];
  readonly diagnostics?: readonly PreviewDiagnostic[];
  readonly duration?: number;
  readonly changeSummary?: Readonly<Partial<Record<StepOp, number>>>;
  readonly maybeCorrupt?: boolean;
}

/** `apitype.SecretsProvidersV1`: `state` is the provider's own JSON (e.g. the encrypted data key). */
export interface SecretsProvidersV1 {
  readonly type: string;
  readonly state?: unknown;
}

/** What `stateForJSONOutput` writes in place of every secret value of a preview's states. */
export const PREVIEW_SECRET = "[secret]";

/** A property map whose values may include `[secret]` strings (preview) or ciphertext secrets. */
export type StateMap = PropertyMap;
