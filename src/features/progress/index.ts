/** PLACEHOLDER: the progress feature is built in its own issue; this keeps the wiring compiling. */
import type { AppDeps, Feature } from "../../core/context.ts";

/** Creates the progress feature. */
export function createProgressFeature(deps: AppDeps): Feature {
  void deps;
  return { name: "progress" };
}
