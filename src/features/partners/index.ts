/** PLACEHOLDER: the partners feature is built in its own issue; this keeps the wiring compiling. */
import type { AppDeps, Feature } from "../../core/context.ts";

/** Creates the partners feature. */
export function createPartnersFeature(deps: AppDeps): Feature {
  void deps;
  return { name: "partners" };
}
