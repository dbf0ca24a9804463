/**
 * What a handover does: open it (who answers, the notice with the seller's details, last
 * messages, voice note and chat link), pass the seller's messages on, pass staff answers to
 * the seller, close it (/done, silence, STOP) and tell admins when a partner does not pick up.
 * Everything sent outside the reply to the message being handled is queued (deliveries.ts).
 */
import type { AppDeps } from "../../core/context.ts";
import type { ChannelId, Lang, MediaRef } from "../../core/types.ts";
import { assignedPartnerId, contactText, partnerIdOfMember } from "../partners/api.ts";
import type { Stages } from "../progress/stages.ts";
import { asLang, queueDeliveries, reachOf, type NewDelivery } from "./deliveries.ts";
import { recentHistory, type HistoryBuffer } from "./history.ts";
import { closeHandover, createHandover, createOpenSellers, staffRecipients, type HandoverReason, type HandoverRow } from "./repository.ts";
import { addWorkingTime } from "./working-hours.ts";
import { formatTime, formatWindow } from "./format.ts";

/** Someone who gets staff messages, and where. */
interface Reach {
  userId: number;
  lang: Lang;
  channel: ChannelId;
  chatId: string;
}

/** The seller as staff see them. */
interface SellerInfo {
  id: number;
  name: string;
  lang: Lang;
  city: string | null;
  stageIndex: number;
  contact: string;
}

/** Handover services bound to the app. */
export interface HandoverService {
  /** Sellers with an open handover (a cache: see createOpenSellers). */
  openSellers: ReturnType<typeof createOpenSellers>;
  /** The sellers' recent messages, buffered. */
  history: HistoryBuffer;
  /** Opens one for the seller; `exists` when one is open already, `unreachable` when nobody can answer. */
  open(input: { sellerId: number; reason: HandoverReason; channel: ChannelId; chatId: string; voice?: MediaRef; lastMessage: string }): Promise<
    { kind: "opened" | "exists"; handover: HandoverRow; answerer: string | null } | { kind: "unreachable" }
  >;
  /** Queues a seller's message (text or voice) to the staff of their open handover. */
  passOn(handover: HandoverRow, seller: { id: number; name: string }, message: { text?: string; voice?: MediaRef }): Promise<void>;
  /** Queues a staff answer to the seller; false when it cannot be passed on (not text or voice). */
  answer(handover: HandoverRow, staff: { id: number; role: string; channel: ChannelId }, message: { text?: string; voice?: MediaRef }): Promise<boolean>;
  /** Closes it and queues the seller's "the bot is back" (and, for timeouts and STOP, the staff's notice). */
  close(handover: HandoverRow, how: { reason: "done" | "timeout" | "stop"; by: number | null }): Promise<boolean>;
  /** Whether this user may answer or close the handover: its partner's members, and admins. */
  mayAct(handover: HandoverRow, user: { id: number; role: string }): Promise<boolean>;
  /** The name the seller is told answers: the partner's, or null for the programme team. */
  answererName(handover: HandoverRow): Promise<string | null>;
  /** The partner who would answer the seller now (they have a reachable bot account), or null for the programme team. */
  whoWouldAnswer(sellerId: number): Promise<string | null>;
  /** One sweep: escalations due, silent handovers closed. */
  sweep(): Promise<{ escalated: number; timedOut: number }>;
}

const CHANNEL_NAMES: Record<ChannelId, string> = { whatsapp: "WhatsApp", "whatsapp-cloud": "WhatsApp", telegram: "Telegram", console: "the local chat" };

/** Creates the service. `wake` asks the sender to deliver what was just queued. */
export function createHandoverService(deps: AppDeps, stages: Stages, wake: () => void, history: HistoryBuffer): HandoverService {
  const { db, i18n, config } = deps;
  const openSellers = createOpenSellers(db);
  const historyBuffer = history;

  async function sellerInfo(sellerId: number): Promise<SellerInfo> {
    const user = await db.user.findUnique({ where: { id: sellerId }, include: { identities: true, sellerProfile: true, progress: true } });
    return {
      id: sellerId,
      name: user?.displayName ?? `#${sellerId}`,
      lang: asLang(user?.language ?? "en"),
      city: user?.sellerProfile?.city ?? null,
      stageIndex: user?.progress?.currentIndex ?? -1,
      contact: contactText(user?.identities ?? []),
    };
  }

  async function reachAll(userIds: number[], prefer: ChannelId, exclude: number): Promise<Reach[]> {
    const out: Reach[] = [];
    for (const id of [...new Set(userIds)]) {
      if (id === exclude) continue;
      const r = await reachOf(db, id, prefer);
      if (r) out.push(r);
    }
    return out;
  }

  const admins = async () => (await db.user.findMany({ where: { role: "admin" }, select: { id: true }, orderBy: { id: "asc" } })).map((u) => u.id);
  const members = async (partnerId: number) =>
    (await db.partnerMember.findMany({ where: { partnerId, status: "approved" }, select: { userId: true }, orderBy: { userId: "asc" } })).map((m) => m.userId);
  const partnerName = async (id: number | null) => (id === null ? null : ((await db.partner.findUnique({ where: { id }, select: { name: true } }))?.name ?? null));

  /** The notice: title, seller line, last messages, chat link, how to answer. */
  async function noticeText(title: string, seller: SellerInfo, code: string, lang: Lang, extra: string[] = []): Promise<string> {
    const t = i18n.t(lang);
    const stage = stages.list[seller.stageIndex];
    await historyBuffer.flush();
    const history = await recentHistory(db, seller.id);
    const lines = history.map((h) => `${formatTime(h.at, config.handover.workingHours.timeZone)} ${t(`handover:notice.who.${h.author}`)}: ${h.text}`);
    return [
      title,
      t("handover:notice.seller", { seller: seller.name, city: seller.city ?? "-", stage: stage ? stages.label(stage, lang) : t("handover:notice.noStage"), lang: t(`common:language.${seller.lang}`) }),
      ...extra,
      "",
      history.length ? t("handover:notice.history") : t("handover:notice.historyNone"),
      ...lines,
      "",
      t("handover:notice.contact", { links: seller.contact }),
      t("handover:notice.howto", { code }),
    ].join("\n");
  }

  /** A voice note for one recipient: the file itself where their channel can send it, else where to hear it. */
  function voiceFor(r: Reach, voice: MediaRef, caption: string, elsewhere: string): { media?: MediaRef; text: string; extraLine?: string } {
    const canSend = r.channel === voice.channel && deps.messenger.capabilities(r.channel)?.media === true;
    return canSend ? { media: voice, text: caption } : { text: "", extraLine: elsewhere };
  }

  async function staffTargets(handover: HandoverRow): Promise<number[]> {
    if (handover.staffUserId !== null) return [handover.staffUserId];
    return staffRecipients(db, handover.id);
  }

  async function mayAct(handover: HandoverRow, user: { id: number; role: string }): Promise<boolean> {
    if (user.role === "admin") return true;
    return handover.partnerId !== null && (await partnerIdOfMember(db, user.id)) === handover.partnerId;
  }

  return {
    openSellers,
    history,
    mayAct,
    answererName: (h) => partnerName(h.partnerId),
    async whoWouldAnswer(sellerId) {
      const assigned = await assignedPartnerId(db, sellerId);
      if (assigned === null) return null;
      const staff = await reachAll(await members(assigned), "console", sellerId);
      return staff.length ? partnerName(assigned) : null;
    },

    async open(input) {
      const existing = await db.handover.findUnique({ where: { openSellerId: input.sellerId } });
      if (existing) return { kind: "exists", handover: existing, answerer: await partnerName(existing.partnerId) };
      const seller = await sellerInfo(input.sellerId);
      const assigned = await assignedPartnerId(db, input.sellerId);
      const assignedName = await partnerName(assigned);
      let partnerId: number | null = null;
      let staff: Reach[] = [];
      if (input.reason !== "complaint.partner" && assigned !== null) {
        staff = await reachAll(await members(assigned), input.channel, input.sellerId);
        if (staff.length) partnerId = assigned;
      }
      const noAccount = partnerId === null && input.reason !== "complaint.partner" && assignedName !== null;
      if (staff.length === 0) staff = await reachAll(await admins(), input.channel, input.sellerId);
      if (staff.length === 0) return { kind: "unreachable" };
      const now = deps.now();
      const pickupDueAt = addWorkingTime(now, config.handover.pickupHours * 3600_000, config.handover.workingHours);
      const items = async (code: string): Promise<NewDelivery[]> => {
        const out: NewDelivery[] = [];
        for (const r of staff) {
          const t = i18n.t(r.lang);
          const title =
            input.reason === "complaint.partner"
              ? t("handover:notice.complaint", { seller: seller.name, partner: assignedName ?? "-", code })
              : t(input.reason === "voice" ? "handover:notice.voice" : "handover:notice.human", { seller: seller.name, code });
          const extra = noAccount ? [t("handover:notice.noAccount", { partner: assignedName })] : [];
          const voice = input.voice
            ? voiceFor(r, input.voice, t("handover:notice.voiceAttached", { seller: seller.name, code }), t("handover:notice.voiceElsewhere", { channel: CHANNEL_NAMES[input.voice.channel], links: seller.contact }))
            : undefined;
          if (voice?.extraLine) extra.push(voice.extraLine);
          out.push({ ...target(r), audience: "staff", content: { text: await noticeText(title, seller, code, r.lang, extra) } });
          if (voice?.media) out.push({ ...target(r), audience: "staff", content: { text: voice.text, media: voice.media } });
        }
        return out;
      };
      // The texts read the history, so they are built before the transaction that writes them.
      const result = await createHandover(
        deps,
        { sellerId: input.sellerId, partnerId, aboutPartnerId: input.reason === "complaint.partner" ? assigned : null, reason: input.reason, channel: input.channel, chatId: input.chatId, pickupDueAt, lastMessage: input.lastMessage },
        items,
      );
      openSellers.add(input.sellerId);
      if (result.created) wake();
      return { kind: result.created ? "opened" : "exists", handover: result.handover, answerer: await partnerName(result.handover.partnerId) };
    },

    async passOn(handover, seller, message) {
      const targets = await reachAll(await staffTargets(handover), handover.channel as ChannelId, seller.id);
      const items: NewDelivery[] = [];
      const info = message.voice ? await sellerInfo(seller.id) : null;
      for (const r of targets) {
        const t = i18n.t(r.lang);
        if (message.voice) {
          const v = voiceFor(r, message.voice, t("handover:notice.voiceAttached", { seller: seller.name, code: handover.code }), t("handover:relay.voiceElsewhere", { seller: seller.name, code: handover.code, channel: CHANNEL_NAMES[message.voice.channel], links: info?.contact ?? "-" }));
          items.push({ ...target(r), audience: "staff", content: v.media ? { text: v.text, media: v.media } : { text: v.extraLine ?? "" } });
        } else {
          items.push({ ...target(r), audience: "staff", content: { text: t("handover:relay.text", { seller: seller.name, code: handover.code, text: message.text ?? "" }) } });
        }
      }
      const now = deps.now();
      await db.$transaction(async (tx) => {
        await tx.handover.updateMany({ where: { id: handover.id, status: "open" }, data: { lastActivityAt: now, lastMessage: (message.text ?? "[voice note]").slice(0, 200) } });
        await queueDeliveries(tx, handover.id, items, now);
      });
      wake();
    },

    async answer(handover, staff, message) {
      const seller = await db.user.findUnique({ where: { id: handover.sellerId }, select: { language: true } });
      const lang = asLang(seller?.language ?? "en");
      const t = i18n.t(lang);
      const partnerOfStaff = staff.role === "admin" ? null : await partnerIdOfMember(db, staff.id);
      const name = await partnerName(partnerOfStaff);
      const header = name ? t("handover:from.partner", { name }) : t("handover:from.team");
      const seller_ = { userId: handover.sellerId, channel: handover.channel as ChannelId, chatId: handover.chatId };
      let item: NewDelivery;
      if (message.text) item = { ...seller_, audience: "seller", content: { text: `${header}\n\n${message.text}` } };
      else if (message.voice && message.voice.channel === handover.channel) item = { ...seller_, audience: "seller", content: { text: header, media: message.voice } };
      else return false;
      const now = deps.now();
      await db.$transaction(async (tx) => {
        await tx.handover.updateMany({ where: { id: handover.id, status: "open", pickedUpAt: null }, data: { pickedUpAt: now } });
        await tx.handover.updateMany({ where: { id: handover.id, status: "open" }, data: { staffUserId: staff.id, lastActivityAt: now } });
        await queueDeliveries(tx, handover.id, [item], now);
      });
      wake();
      return true;
    },

    async close(handover, how) {
      const seller = await sellerInfo(handover.sellerId);
      const t = i18n.t(seller.lang);
      const name = (await partnerName(handover.partnerId)) ?? t("handover:team");
      const items: NewDelivery[] = [];
      const toSeller = { userId: handover.sellerId, channel: handover.channel as ChannelId, chatId: handover.chatId, audience: "seller" as const };
      if (how.reason === "done") items.push({ ...toSeller, content: { text: t("handover:closed.done", { name: capitalise(name) }) } });
      if (how.reason === "timeout") items.push({ ...toSeller, content: { text: t("handover:closed.timeout", { name, hours: config.handover.idleHours }) } });
      if (how.reason !== "done") {
        for (const r of await reachAll(await staffTargets(handover), handover.channel as ChannelId, handover.sellerId)) {
          const key = how.reason === "stop" ? "handover:staff.stopped" : "handover:staff.timedOut";
          items.push({ ...target(r), audience: "staff", content: { text: i18n.t(r.lang)(key, { seller: seller.name, code: handover.code, hours: config.handover.idleHours }) } });
        }
      }
      const idleSince = how.reason === "timeout" ? new Date(deps.now().getTime() - config.handover.idleHours * 3600_000) : undefined;
      const closed = await closeHandover(deps, handover, { reason: how.reason, by: how.by, onlyIfIdleSince: idleSince }, items);
      if (closed) {
        openSellers.remove(handover.sellerId);
        wake();
      }
      return closed;
    },

    async sweep() {
      const now = deps.now();
      let escalated = 0;
      const due = await db.handover.findMany({ where: { status: "open", partnerId: { not: null }, pickedUpAt: null, escalatedAt: null, pickupDueAt: { lte: now } }, take: 100 });
      for (const h of due) if (await escalate(h)) escalated++;
      let timedOut = 0;
      const cutoff = new Date(now.getTime() - config.handover.idleHours * 3600_000);
      const idle = await db.handover.findMany({ where: { status: "open", lastActivityAt: { lt: cutoff } }, take: 100 });
      for (const h of idle) if (await this.close(h, { reason: "timeout", by: null })) timedOut++;
      return { escalated, timedOut };
    },
  };

  /** Tells the admins once that the partner has not picked up; they can answer it themselves. */
  async function escalate(h: HandoverRow): Promise<boolean> {
    const seller = await sellerInfo(h.sellerId);
    const name = (await partnerName(h.partnerId)) ?? "-";
    const staff = await reachAll(await admins(), h.channel as ChannelId, h.sellerId);
    const items: NewDelivery[] = [];
    for (const r of staff) {
      const title = i18n.t(r.lang)("handover:notice.escalated", { partner: name, seller: seller.name, hours: config.handover.pickupHours, code: h.code });
      items.push({ ...target(r), audience: "staff", content: { text: await noticeText(title, seller, h.code, r.lang) } });
    }
    const now = deps.now();
    const done = await db.$transaction(async (tx) => {
      const { count } = await tx.handover.updateMany({ where: { id: h.id, status: "open", pickedUpAt: null, escalatedAt: null }, data: { escalatedAt: now } });
      if (count !== 1) return false;
      await queueDeliveries(tx, h.id, items, now);
      return true;
    });
    if (done) {
      deps.log.info({ handover: h.code, admins: staff.length }, "handover: partner did not pick up; admins told");
      wake();
    }
    return done;
  }
}

function target(r: Reach): { userId: number; channel: ChannelId; chatId: string } {
  return { userId: r.userId, channel: r.channel, chatId: r.chatId };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The working-hours window as people read it ("Mon–Sat 09:00–18:00"). */
export function windowText(deps: AppDeps, lang: Lang): string {
  return formatWindow(deps.config.handover.workingHours, lang);
}

