import { isUnknownError } from "./unknowns";

export type Tags = Readonly<Record<string, string>>;

function asTagMap(v: unknown): Record<string, string> {
  if (v === null || v === undefined || typeof v !== "object" || Array.isArray(v)) return {};
  const out: Record<string, string> = {};
  for (const k of Object.keys(v)) {
    try {
      const val = (v as Record<string, unknown>)[k];
      if (typeof val === "string") out[k] = val;
    } catch (e) {
      // An unknown tag value is still a tag that will exist.
      if (isUnknownError(e)) out[k] = "";
      else throw e;
    }
  }
  return out;
}

function read(obj: Readonly<Record<string, unknown>> | undefined, key: string): unknown {
  if (!obj) return undefined;
  try {
    return obj[key];
  } catch (e) {
    if (isUnknownError(e)) return undefined;
    throw e;
  }
}

/**
 * The provider's `defaultTags.tags`. Explicit provider resources keep nested config as a JSON
 * string in state (and so in what the engine sends), programs under mocks as an object.
 */
export function providerDefaultTags(providerProps: Readonly<Record<string, unknown>> | undefined): Record<string, string> {
  let dt = read(providerProps, "defaultTags");
  if (typeof dt === "string") {
    try {
      dt = JSON.parse(dt);
    } catch {
      return {};
    }
  }
  return asTagMap(read(dt as Record<string, unknown> | undefined, "tags"));
}

/**
 * The tags AWS ends up applying: provider default tags, overridden by the resource's own tags,
 * and `tagsAll` (the provider's own merge, present in outputs) when it is there.
 */
export function resourceTags(
  props: Readonly<Record<string, unknown>>,
  providerProps?: Readonly<Record<string, unknown>>,
): Tags {
  return { ...providerDefaultTags(providerProps), ...asTagMap(read(props, "tagsAll")), ...asTagMap(read(props, "tags")) };
}
