/**
 * The list of features, in the order they see a message. Earlier ones win: settings,
 * then broadcasts (STOP/opt-out must win over everything), help (exact words), events
 * (RSVP), partners, progress, dashboard (the login link); FAQ comes last because it tries
 * to answer anything.
 */
import type { AppDeps, Feature } from "../core/context.ts";
import { createBroadcastsFeature } from "./broadcasts/index.ts";
import { createDashboardFeature } from "./dashboard/index.ts";
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
  features.push(createBroadcastsFeature(deps), help, createEventsFeature(deps), createPartnersFeature(deps), createProgressFeature(deps), createDashboardFeature(deps), createFaqFeature(deps));
  return features;
}
