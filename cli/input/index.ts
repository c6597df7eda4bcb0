/**
 * The input layer: every command that takes a plan file reads it through here (see ./load.ts).
 * `readStackInput` is the one entry point; `diffPreview` turns a preview digest into a diff.
 */
export {
  detectFormat,
  EngineStep,
  FORMAT_LABEL,
  InputError,
  InputFormat,
  LoadOptions,
  parseStackInput,
  PreviewFacts,
  readStackInput,
  ReplaceOrder,
  StackInput,
} from "./load";
export { diffPreview, parsePropertyPath, PreviewDiffOptions } from "./preview-diff";
