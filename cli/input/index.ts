/**
 * The input layer: every command that takes a plan file reads it through here (see ./load.ts).
 * `readStackInput` is the one entry point; `diffPreview` turns a preview digest into a diff.
 */
export { detectFormat, FORMAT_LABEL, InputError, parseStackInput, readStackInput } from "./load";
export type { EngineStep, InputFormat, LoadOptions, PreviewFacts, ReplaceOrder, StackInput } from "./load";
export { diffPreview, parsePropertyPath } from "./preview-diff";
export type { PreviewDiffOptions } from "./preview-diff";
