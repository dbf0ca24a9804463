/** PLACEHOLDER: the faq feature is built in its own issue; this keeps the wiring compiling. */
import type { AppDeps, Feature } from "../../core/context.ts";

/** Creates the faq feature. */
export function createFaqFeature(deps: AppDeps): Feature {
  void deps;
  return { name: "faq" };
}
