/**
 * Pulumi's property-value encoding, shared by everything that reads or writes deployment
 * documents and wire values (plan, policy, cost, mocks). Signatures from
 * sdk/go/common/resource/properties.go and ../shared/reference/pulumi-schemas/property-values.json.
 */

/** A JSON value as it appears in `inputs` / `outputs` (secrets, assets and unknowns included). */
export type PropertyValue = null | boolean | number | string | PropertyValue[] | { [key: string]: PropertyValue };

export type PropertyMap = { [key: string]: PropertyValue };

/** The key under which a special value carries its signature. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
export const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

/** The unknown (computed) value, as the engine writes it into property maps. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Whether a value carries the secret signature (wire form `{sig, value}`, state form `{sig, ciphertext|plaintext}`). */
export function isSecretValue(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}
