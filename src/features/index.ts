/**
 * The list of features, in the order they see a message. Earlier ones win: settings and
 * help answer exact words first; events holds STOP/opt-out and RSVP; FAQ comes last
 * because it tries to answer anything.
 */
import type { AppDeps, Feature } from "../core/context.ts";
import { createEventsFeature } from "./events/index.ts";
import { createFaqFeature } from "./faq/index.ts";
import { createHelpFeature } from "./help/index.ts";
import { createPartnersFeature } from "./partners/index.ts";
import { createProgressFeature } from "./progress/index.ts";
import { createSettingsFeature } from "./settings/index.ts";

/** Creates every feature. */
export function createFeatures(deps: AppDeps): Feature[] {
  const features: Feature[] = [createSettingsFeature()];
  const help = createHelpFeature(() => features.flatMap((f) => f.menu ?? []));
  features.push(help, createEventsFeature(deps), createPartnersFeature(deps), createProgressFeature(deps), createFaqFeature(deps));
  return features;
}
