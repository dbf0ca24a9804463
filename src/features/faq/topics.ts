/**
 * The topic ids the knowledge base must cover (shared/faq-topics.md, copied here so the repo
 * checks itself without the shared folder) and the ones another feature answers.
 */

/** Every topic id of shared/faq-topics.md, in its order. */
export const REQUIRED_TOPIC_IDS = [
  "what-is-marketplace", "who-can-sell", "register-account", "required-documents", "membership-fees",
  "verification", "channel-partner-role", "find-partner", "product-listing", "listing-quality",
  "product-categories", "pricing-moq", "rfq", "buyer-inquiries", "payments", "trade-assurance",
  "shipping-logistics", "export-registration", "certifications", "samples", "disputes", "account-security",
  "storefront", "store-analytics", "advertising", "first-order-time", "receiving-foreign-currency", "taxes",
  "training", "summit-events", "event-rsvp", "listing-progress", "change-language", "talk-to-human", "unsubscribe",
] as const;

/** Topics handed over to the feature that owns them (`ctx.handoff`); the KB answer is the fallback. */
export const ROUTING_TOPIC_IDS = [
  "find-partner", "summit-events", "event-rsvp", "listing-progress", "change-language", "talk-to-human", "unsubscribe",
] as const;
