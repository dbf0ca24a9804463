/** PLACEHOLDER: the events feature is built in its own issue; this keeps the wiring compiling. */
import type { AppDeps, Feature } from "../../core/context.ts";

/** Creates the events feature. */
export function createEventsFeature(deps: AppDeps): Feature {
  void deps;
  return { name: "events" };
}
