/**
 * The broadcasts feature's API for other features (cross-feature contract,
 * docs/team-brief.md "Broadcasts"). Events announces through `createBroadcast` and sends
 * reminders through `enqueueDirect`; progress sends nudges through `enqueueDirect`.
 * Keep these signatures stable.
 */
export type { Audience, BroadcastContent, BroadcastInput, BroadcastStatus, DirectItem, LocalizedText, Topic } from "./types.ts";
export { broadcastStatus, controlBroadcast, createBroadcast, enqueueDirect, previewBroadcast } from "./service.ts";
export { isOptedOut } from "./subscriptions.ts";
export { applyReceipts, type Receipt } from "./receipts.ts";
