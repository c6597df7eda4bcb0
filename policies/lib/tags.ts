import { list, obj } from "./props";
import { T } from "./types";
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

/**
 * The Role tag of what an instance or launch template launches: the instance's own tags (`tags`,
 * provider defaults included), or the tags of the template's tag specification for instances.
 */
export function launchedRole(type: string, props: Readonly<Record<string, unknown>>, tags: () => Tags): string | undefined {
  if (type === T.instance) return tags().Role;
  for (const spec of list(props.tagSpecifications)) {
    if (spec.resourceType === "instance") {
      const role = obj(spec.tags)?.Role;
      if (typeof role === "string") return role;
    }
  }
  return undefined;
}
