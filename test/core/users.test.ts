/**
 * Names from the platforms are stored clean: a NUL (which PostgreSQL refuses in text) or
 * other control characters in a Telegram name must not make the user impossible to create.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanText } from "../../src/core/users.ts";
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
