/**
 * Names from the platforms are stored clean: a NUL (which PostgreSQL refuses in text) or
 * other control characters in a Telegram name must not make the user impossible to create.
 * A first message's user, built from what was written rather than read back, is the user a
 * later load reads; a user created meanwhile by another process is used, not duplicated.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanText, loadOrCreateUser } from "../../src/core/users.ts";
import type { InboundMessage } from "../../src/core/types.ts";
import { createTestApp, type TestApp } from "../support/app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ channel: "telegram" });
});
afterAll(async () => t.close());

describe("display names", () => {
  it("creates a user whose name holds NUL, BEL and an escape sequence, and stores it without them", async () => {
    const replies = await t.send("hello", { id: "7001", displayName: "Ali\u0000 Khan\u0007\u001b[31m" });
    expect(replies[0]!.text).not.toBe(t.app.deps.i18n.t("en")("common:error.apology"));
    const identity = await t.app.deps.db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "telegram", externalId: "7001" } }, include: { user: true } });
    expect(identity.user.displayName).toBe("Ali Khan [31m");
  });

  it("keeps Urdu and emoji, cuts long names without splitting a character, drops a lone surrogate and bidi overrides", () => {
    expect(cleanText("  علی \n خان 🧵 ", 100)).toBe("علی خان 🧵");
    expect(cleanText(`${"a".repeat(99)}🧵🧵`, 100)).toBe(`${"a".repeat(99)}🧵`);
    expect(cleanText("x\ud800y\u202e", 10)).toBe("xy");
    expect(cleanText("\u0000\u0007", 10)).toBe("");
  });
});

describe("first message", () => {
  const message = (id: string, text: string, displayName?: string): InboundMessage => ({
    channel: "telegram",
    messageId: `m-${id}`,
    chat: { id, kind: "private" },
    sender: { id, displayName },
    sentAt: new Date(),
    content: { kind: "text", text },
  });

  it("the created user is the one a later load reads", async () => {
    const { database, config } = t.app.deps;
    const now = new Date();
    const created = await loadOrCreateUser(database, config, message("7101", "میں سیالکوٹ سے ہوں", "Sana"), now);
    const again = await loadOrCreateUser(database, config, message("7101", "hello"), now);
    expect(created).toEqual(again);
    expect(created.user).toMatchObject({ language: "ur", languageExplicit: false, displayName: "Sana", role: "seller" });
    expect(created.state).toEqual({ flow: null, data: {}, choices: [] });
  });

  it("an identity another process created a moment ago is used, not created twice", async () => {
    const { database, config } = t.app.deps;
    const { userId } = await database.hot.createUser({ channel: "telegram", externalId: "7102", role: "seller", language: "en", displayName: "Other", at: new Date() });
    // As if this process had looked before the other one wrote: createUser meets the identity.
    const found = database.hot.findUser;
    let calls = 0;
    database.hot.findUser = async (channel, externalId) => (calls++ === 0 ? undefined : found(channel, externalId));
    try {
      const loaded = await loadOrCreateUser(database, config, message("7102", "hello", "Mine"), new Date());
      expect(loaded.user).toMatchObject({ id: userId, displayName: "Other" });
    } finally {
      database.hot.findUser = found;
    }
    expect(await t.app.deps.db.channelIdentity.count({ where: { channel: "telegram", externalId: "7102" } })).toBe(1);
  });
});
