/**
 * The understanding step as the app builds it (the committed content, the real gazetteer and
 * FAQ matcher), built once per test file.
 */
import type { Understander } from "../../src/core/understanding.ts";
import { faqDir, loadKnowledgeBase } from "../../src/features/faq/knowledge.ts";
import { createContentUnderstander } from "../../src/understanding/wiring.ts";

let built: Understander | undefined;

/** The production understander over content/. */
export function contentUnderstander(): Understander {
  built ??= createContentUnderstander("content", loadKnowledgeBase(faqDir("content")));
  return built;
}
