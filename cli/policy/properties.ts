import { PropertyMap, PropertyValue, RESOURCE_REFERENCE_SIG, SECRET_SIG, SIG_KEY, UNKNOWN } from "../evaluate/property-values";

/**
 * Converts property values from the deployment document's JSON form into the form the engine
 * marshals into an analyzer request (`plugin.MarshalProperties` with KeepUnknowns and KeepSecrets).
 *
 *  - unknowns stay the unknown sentinel string, which the policy SDK's proxy turns into an
 *    `UnknownValueError` ("can't run during preview") when a policy reads them;
 *  - secrets become `{sig: secret, value}`. A `pulumi stack export` without `--show-secrets` holds
 *    only ciphertext, which cannot be decrypted offline: its value is sent as unknown, so a policy
 *    reading it is reported as unverifiable rather than seeing a made-up value;
 *  - resource references are sent as the referenced id (or URN for components), which is what the
 *    engine does for analyzers that did not ask for references.
 */
export function toAnalyzerValue(value: PropertyValue): PropertyValue {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(toAnalyzerValue);
  const sig = value[SIG_KEY];
  if (sig === SECRET_SIG) {
    let inner: PropertyValue = UNKNOWN;
    if (typeof value.plaintext === "string") {
      try {
        inner = toAnalyzerValue(JSON.parse(value.plaintext) as PropertyValue);
      } catch {
        inner = value.plaintext;
      }
    } else if ("value" in value) {
      inner = toAnalyzerValue(value.value ?? null);
    }
    return { [SIG_KEY]: SECRET_SIG, value: inner };
  }
  if (sig === RESOURCE_REFERENCE_SIG) {
    const id = value.id;
    return typeof id === "string" && id !== "" ? id : (value.urn ?? null);
  }
  const out: { [key: string]: PropertyValue } = {};
  for (const [k, v] of Object.entries(value)) out[k] = toAnalyzerValue(v);
  return out;
}

export function toAnalyzerProperties(props: PropertyMap | undefined): PropertyMap {
  const out: PropertyMap = {};
  for (const [k, v] of Object.entries(props ?? {})) out[k] = toAnalyzerValue(v);
  return out;
}
