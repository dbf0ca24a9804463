/**
 * The understanding step (shared/intents.md, docs/understanding.md): what a text message
 * means, decided once, before any feature acts on it. The types live in the core
 * (src/core/understanding.ts); this folder builds the step from its injected parts and the
 * lexicons of content/understanding/.
 */
export { createUnderstander, type FaqMatcherLike, type PlaceFinder, type StageLike, type UnderstanderParts } from "./understander.ts";
export { LEXICON_FILES, LexiconError, loadLexicons, understandingDir, type Lexicons } from "./lexicon.ts";
