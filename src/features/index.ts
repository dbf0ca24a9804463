/**
 * The list of features, in the order they see a message. Each acts on the understanding of
 * the message (ctx.understanding: one intent per message), so the order matters little:
 * broadcasts' STOP runs before any flow, the dashboard feature sends partners their login link, and the FAQ comes last because it answers what
 * nothing else took.
 */
import type { AppDeps, Feature } from "../core/context.ts";
import { createBroadcastsFeature } from "./broadcasts/index.ts";
import { createDashboardFeature } from "./dashboard/index.ts";
import { createEventsFeature } from "./events/index.ts";
import { createFaqFeature } from "./faq/index.ts";
import type { KnowledgeBase } from "./faq/knowledge.ts";
import { createHandoverFeature } from "./handover/index.ts";
import { createHelpFeature } from "./help/index.ts";
import { createPartnersFeature } from "./partners/index.ts";
import { createProgressFeature } from "./progress/index.ts";
import { createSettingsFeature } from "./settings/index.ts";

/** What features share with the rest of the app. */
export interface FeatureOptions {
  /** The FAQ knowledge base, loaded once for the FAQ feature and the understanding step. */
  knowledge?: () => KnowledgeBase;
}

/** Creates every feature. */
export function createFeatures(deps: AppDeps, options: FeatureOptions = {}): Feature[] {
  // The handover comes before broadcasts: while a seller talks to a person it sees STOP first
  // (to end the handover, then lets broadcasts act on it) and passes everything else on.
  const features: Feature[] = [createSettingsFeature(), createHandoverFeature(deps)];
  const help = createHelpFeature(() => features.flatMap((f) => f.menu ?? []));
  features.push(createBroadcastsFeature(deps), help, createEventsFeature(deps), createPartnersFeature(deps), createProgressFeature(deps), createDashboardFeature(deps), createFaqFeature(deps, options.knowledge));
  return features;
}
