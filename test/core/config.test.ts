import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.ts";

describe("config", () => {
  it("defaults to the embedded database and no channels", () => {
    const c = loadConfig({});
    expect(c.database).toMatchObject({ url: "file:./data/seller-bot.db", provider: "sqlite" });
    expect(c.telegram).toBeUndefined();
    expect(c.whatsapp.enabled).toBe(false);
    expect(c.httpPort).toBe(8080);
  });

  it("recognises PostgreSQL URLs", () => {
    expect(loadConfig({ DATABASE_URL: "postgres://u@h:5432/db" }).database.provider).toBe("postgresql");
  });

  it("names every bad field and what is expected", () => {
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: "mysql://x", HTTP_PORT: "70000", TELEGRAM_BOT_TOKEN: "nope", WHATSAPP_ENABLED: "maybe" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const fields = (error as ConfigError).fields.map((f) => f.field).sort();
    expect(fields).toEqual(["DATABASE_URL", "HTTP_PORT", "TELEGRAM_BOT_TOKEN", "WHATSAPP_ENABLED"]);
    expect((error as ConfigError).message).toMatch(/DATABASE_URL: expected file:/);
  });

  it("requires the webhook URL and secret in webhook mode", () => {
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: "123:abc", TELEGRAM_MODE: "webhook" })).toThrow(/TELEGRAM_WEBHOOK_URL[\s\S]*TELEGRAM_WEBHOOK_SECRET/);
  });

  it("parses admins as channel:id pairs", () => {
    expect(loadConfig({ SELLER_BOT_ADMINS: "telegram:42, whatsapp:923001234567@s.whatsapp.net" }).admins).toEqual([
      { channel: "telegram", externalId: "42" },
      { channel: "whatsapp", externalId: "923001234567@s.whatsapp.net" },
    ]);
  });
});
