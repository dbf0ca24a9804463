/** PLACEHOLDER: the broadcasts feature is built in its own issue; this keeps the wiring compiling. */
import type { AppDeps, Feature } from "../../core/context.ts";

/** Creates the broadcasts feature. */
export function createBroadcastsFeature(deps: AppDeps): Feature {
  void deps;
  return { name: "broadcasts" };
}
