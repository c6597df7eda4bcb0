/**
 * IAM policy documents (identity, trust, bucket and key policies) normalized for checks.
 * Documents arrive as JSON strings (what the AWS provider stores) or objects.
 */

export interface Statement {
  readonly sid?: string;
  readonly effect: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly resources: readonly string[];
  readonly notResources: readonly string[];
  /** `"*"` principal (or `{AWS: "*"}`) */
  readonly anyPrincipal: boolean;
  readonly awsPrincipals: readonly string[];
  readonly servicePrincipals: readonly string[];
  readonly federatedPrincipals: readonly string[];
  readonly hasNotPrincipal: boolean;
  readonly condition: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

function list(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string");
  return typeof v === "string" ? [v] : [];
}

class PolicyDocumentError extends Error {}

function parsePolicyDocument(doc: unknown): Statement[] {
  let d = doc;
  if (typeof d === "string") {
    try {
      d = JSON.parse(d);
    } catch {
      throw new PolicyDocumentError("is not valid JSON");
    }
  }
  if (typeof d !== "object" || d === null) throw new PolicyDocumentError("is not a policy document");
  const raw = (d as Record<string, unknown>).Statement;
  const statements = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return statements.map((s): Statement => {
    const st = (s ?? {}) as Record<string, unknown>;
    const principal = st.Principal;
    const anyPrincipal =
      principal === "*" ||
      (typeof principal === "object" && principal !== null && list((principal as Record<string, unknown>).AWS).includes("*"));
    const p = (typeof principal === "object" && principal !== null ? principal : {}) as Record<string, unknown>;
    return {
      ...(typeof st.Sid === "string" ? { sid: st.Sid } : {}),
      effect: st.Effect === "Deny" ? "Deny" : "Allow",
      actions: list(st.Action),
      notActions: list(st.NotAction),
      resources: list(st.Resource),
      notResources: list(st.NotResource),
      anyPrincipal,
      awsPrincipals: list(p.AWS),
      servicePrincipals: list(p.Service),
      federatedPrincipals: list(p.Federated),
      hasNotPrincipal: st.NotPrincipal !== undefined,
      condition: (typeof st.Condition === "object" && st.Condition !== null ? st.Condition : {}) as Statement["condition"],
    };
  });
}

/**
 * The document's statements, or none when it is malformed: `malformed` gets the reason (e.g. "is not
 * valid JSON") for the policy to report in its own words, or to ignore.
 */
export function statementsOr(doc: unknown, malformed: (reason: string) => void): Statement[] {
  try {
    return parsePolicyDocument(doc);
  } catch (e) {
    if (!(e instanceof PolicyDocumentError)) throw e;
    malformed(e.message);
    return [];
  }
}

/** IAM action matching with `*` and `?` wildcards, case-insensitive as IAM is. */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(
    "^" + pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$",
    "i",
  );
  return re.test(action);
}

/** Whether any action pattern of the statement grants `action`. */
export function grants(st: Statement, action: string): boolean {
  if (st.notActions.length > 0) return !st.notActions.some((p) => actionMatches(p, action));
  return st.actions.some((p) => actionMatches(p, action));
}

/** The condition keys a statement tests, lower-cased (`aws:sourceaccount`, ...). */
export function conditionKeys(st: Statement): string[] {
  const keys: string[] = [];
  for (const op of Object.values(st.condition)) {
    if (op && typeof op === "object") keys.push(...Object.keys(op).map((k) => k.toLowerCase()));
  }
  return keys;
}
