// The engine lives with the policy pack (policies/lib/reach), which must stay self-contained:
// `pulumi policy publish` packs only that folder. The CLI and the tests import it from here.
export * from "../../policies/lib/reach/evaluate";
