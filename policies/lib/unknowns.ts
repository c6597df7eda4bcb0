import { UnknownValueError } from "@pulumi/policy";

/**
 * Unknown values (outputs of resources not created yet, during `pulumi preview`) reach policies
 * through the SDK's proxy, which throws `UnknownValueError` on read. The SDK turns that error into
 * an advisory "can't run policy ... during preview" diagnostic, and the same policy runs again on
 * `pulumi up`, when Analyze gets the resolved inputs and AnalyzeStack the real outputs. So an
 * unknown is never a silent pass; these helpers keep that contract while not letting one unknown
 * value hide the verdict on everything else.
 */

export function isUnknownError(e: unknown): e is UnknownValueError {
  return e instanceof UnknownValueError;
}

/**
 * Unknowns met while a stack policy runs (see `collectingUnknowns`): the policy finishes all of
 * its checks first, and only then is the first unknown re-thrown.
 */
let collected: UnknownValueError[] | undefined;

/**
 * Runs `check` on every item. Items whose check hits an unknown value are skipped while the rest
 * are still checked (and their violations reported); the first unknown is re-thrown at the end
 * (at the end of the whole stack policy, inside `collectingUnknowns`) so the SDK reports the
 * policy as not verifiable during preview.
 */
export function forEachKnown<T>(items: Iterable<T>, check: (item: T) => void): void {
  let firstUnknown: UnknownValueError | undefined;
  for (const item of items) {
    try {
      check(item);
    } catch (e) {
      if (!isUnknownError(e)) throw e;
      firstUnknown ??= e;
    }
  }
  if (!firstUnknown) return;
  if (collected) collected.push(firstUnknown);
  else throw firstUnknown;
}

/** Runs a (synchronous) stack validation, deferring unknowns met by `forEachKnown` to its end. */
export function collectingUnknowns(run: () => void): void {
  const outer = collected;
  collected = [];
  try {
    run();
    const first = collected[0];
    if (first) throw first;
  } finally {
    collected = outer;
  }
}

/**
 * Whether a property is set. An unknown value counts as set: it is the output of another resource
 * (an ARN, an id), so something is configured; only its exact value is not known yet.
 */
export function isPresent(obj: Readonly<Record<string, unknown>> | undefined, key: string): boolean {
  if (obj === undefined || obj === null) return false;
  try {
    const v = obj[key];
    if (v === undefined || v === null || v === "") return false;
    return !(Array.isArray(v) && v.length === 0);
  } catch (e) {
    if (isUnknownError(e)) return true;
    throw e;
  }
}

/** Reads a value, or `undefined` when it is unknown (for joins where a miss is handled anyway). */
export function peek<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if (isUnknownError(e)) return undefined;
    throw e;
  }
}
