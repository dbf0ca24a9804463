/**
 * Logging in to the dashboard: one-time links (random, stored hashed, one use, 10 minutes)
 * and the database sessions they open (7 days, never extended). Whom a session covers is
 * worked out again on every request from the user's current role and partner membership,
 * so a revoked partner account or a demoted admin loses the dashboard at once.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Config } from "../../config.ts";
import { LANGS, type Lang } from "../../core/types.ts";
import type { Db } from "../../db/client.ts";
import type { Scope } from "../progress/queries.ts";

/** How long a login link works. */
export const LINK_TTL_MS = 10 * 60_000;
/** How long a session lasts after login. */
export const SESSION_TTL_MS = 7 * 86_400_000;
/** 32 random bytes, base64url: what links and cookies carry. */
const SECRET = /^[A-Za-z0-9_-]{43}$/;

/** What a link grants. */
export type Grant = { role: "admin" } | { role: "partner"; partnerId: number };

/** A signed-in browser as stored. */
export interface SessionRow {
  id: number;
  role: string;
  partnerId: number | null;
  userId: number | null;
  language: string;
  expiresAt: Date;
}

const hash = (secret: string) => createHash("sha256").update(secret).digest("hex");
const newSecret = () => randomBytes(32).toString("base64url");

/** The public address of the login page for a token. */
export function loginUrl(config: Pick<Config, "dashboard">, token: string): string {
  return `${config.dashboard.baseUrl}/dashboard/login?token=${token}`;
}

/**
 * Stores a new one-time link for `grant` and returns its URL. Expired links and sessions
 * are deleted here, so neither table grows without a job.
 */
export async function issueLoginLink(
  db: Db,
  config: Pick<Config, "dashboard">,
  input: { grant: Grant; userId: number | null; language: Lang },
  now: Date,
): Promise<string> {
  await db.dashboardLoginToken.deleteMany({ where: { expiresAt: { lt: now } } });
  await db.dashboardSession.deleteMany({ where: { expiresAt: { lt: now } } });
  const token = newSecret();
  await db.dashboardLoginToken.create({
    data: {
      tokenHash: hash(token),
      role: input.grant.role,
      partnerId: input.grant.role === "partner" ? input.grant.partnerId : null,
      userId: input.userId,
      language: input.language,
      expiresAt: new Date(now.getTime() + LINK_TTL_MS),
      createdAt: now,
    },
  });
  return loginUrl(config, token);
}

/**
 * Spends a login token and opens a session: null when the token is malformed, unknown,
 * used or expired (the caller counts that as a failed attempt). The token is marked used
 * by a conditional update, so two clicks at once open one session.
 */
export async function consumeLoginToken(db: Db, token: string, now: Date): Promise<{ secret: string; session: SessionRow } | null> {
  if (!SECRET.test(token)) return null;
  const tokenHash = hash(token);
  return db.$transaction(async (tx) => {
    const spent = await tx.dashboardLoginToken.updateMany({ where: { tokenHash, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
    if (spent.count !== 1) return null;
    const link = await tx.dashboardLoginToken.findUniqueOrThrow({ where: { tokenHash } });
    const secret = newSecret();
    const session = await tx.dashboardSession.create({
      data: {
        tokenHash: hash(secret),
        role: link.role,
        partnerId: link.partnerId,
        userId: link.userId,
        language: link.language,
        expiresAt: new Date(now.getTime() + SESSION_TTL_MS),
        createdAt: now,
      },
    });
    return { secret, session };
  });
}

/** The unexpired session behind a cookie's secret, or null. */
export async function findSession(db: Db, secret: string | undefined, now: Date): Promise<SessionRow | null> {
  if (!secret || !SECRET.test(secret)) return null;
  const row = await db.dashboardSession.findUnique({ where: { tokenHash: hash(secret) } });
  return row && row.expiresAt > now ? row : null;
}

/** Whom a session covers now, and the partner's name for the page. */
export interface SessionAccess {
  scope: Scope;
  partnerName: string | null;
}

/**
 * Whom the session covers now: an admin session while its user is still an admin; a
 * partner session while its user is still an approved member of that partner (or, for a
 * command-line link, while the partner exists). Null otherwise. One query besides the
 * session's own: it runs before every page.
 */
export async function sessionScope(db: Db, session: SessionRow): Promise<SessionAccess | null> {
  if (session.role === "admin") {
    if (session.userId === null) return { scope: { kind: "admin" }, partnerName: null };
    const user = await db.user.findUnique({ where: { id: session.userId }, select: { role: true } });
    return user?.role === "admin" ? { scope: { kind: "admin" }, partnerName: null } : null;
  }
  if (session.role !== "partner" || session.partnerId === null) return null;
  if (session.userId === null) {
    const partner = await db.partner.findUnique({ where: { id: session.partnerId }, select: { id: true, name: true } });
    return partner ? { scope: { kind: "partner", partnerId: partner.id }, partnerName: partner.name } : null;
  }
  // The partners feature's rule (partnerIdOfMember): an approved membership of that partner.
  const member = await db.partnerMember.findUnique({ where: { userId: session.userId }, select: { partnerId: true, status: true, partner: { select: { name: true } } } });
  return member?.status === "approved" && member.partnerId === session.partnerId ? { scope: { kind: "partner", partnerId: member.partnerId }, partnerName: member.partner.name } : null;
}

/** Ends a session (logout, or one whose scope is gone). */
export async function endSession(db: Db, sessionId: number): Promise<void> {
  await db.dashboardSession.deleteMany({ where: { id: sessionId } });
}

/** Switches the page language of a session. */
export async function setSessionLanguage(db: Db, sessionId: number, language: Lang): Promise<void> {
  await db.dashboardSession.update({ where: { id: sessionId }, data: { language } });
}

/** The stored language, or English when it is not one of ours. */
export function sessionLang(session: Pick<SessionRow, "language">): Lang {
  return LANGS.find((l) => l === session.language) ?? "en";
}

/**
 * The session's CSRF token, put in every form that changes something. Derived from the
 * cookie's secret (which only the browser holds), so nothing more is stored, and one-way,
 * so a token seen in a page does not reveal the cookie.
 */
export function csrfToken(secret: string): string {
  return createHash("sha256").update(`csrf\0${secret}`).digest("base64url");
}

/** Whether a form's CSRF token belongs to the session (constant time). */
export function csrfMatches(secret: string, given: unknown): boolean {
  if (typeof given !== "string") return false;
  const want = Buffer.from(csrfToken(secret));
  const got = Buffer.from(given);
  return want.length === got.length && timingSafeEqual(want, got);
}
