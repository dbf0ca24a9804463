/** WHATSAPP_CLOUD_* settings and content/whatsapp/templates.json are checked at start, with the field named. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadTemplates } from "../../src/channels/whatsapp-cloud/index.ts";
import { ConfigError, loadConfig, SHIPPED_CONTENT_DIR } from "../../src/config.ts";

const on = { WHATSAPP_CLOUD_TOKEN: "EAAGm0PX4ZCpsBAKZB", WHATSAPP_CLOUD_PHONE_NUMBER_ID: "106540352242922", WHATSAPP_CLOUD_APP_SECRET: "0123456789abcdef", WHATSAPP_CLOUD_VERIFY_TOKEN: "verify-me-please" };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    return (error as ConfigError).fields.map((f) => f.field);
  }
}

describe("configuration", () => {
  it("is off without the token and the phone number id, on with both, with the documented defaults", () => {
    expect(loadConfig({}).whatsappCloud).toBeUndefined();
    expect(loadConfig(on).whatsappCloud).toEqual({
      token: on.WHATSAPP_CLOUD_TOKEN,
      phoneNumberId: on.WHATSAPP_CLOUD_PHONE_NUMBER_ID,
      appSecret: on.WHATSAPP_CLOUD_APP_SECRET,
      verifyToken: on.WHATSAPP_CLOUD_VERIFY_TOKEN,
      apiRoot: "https://graph.facebook.com/v23.0",
      ratePerSecond: 60,
      userGapMs: 6000,
    });
    expect(loadConfig({ ...on, WHATSAPP_CLOUD_RATE_PER_SECOND: "80", WHATSAPP_CLOUD_API_ROOT: "http://127.0.0.1:9/v23.0/" }).whatsappCloud).toMatchObject({ ratePerSecond: 80, apiRoot: "http://127.0.0.1:9/v23.0" });
  });

  it("names what is missing or wrong", () => {
    expect(problems({ WHATSAPP_CLOUD_TOKEN: on.WHATSAPP_CLOUD_TOKEN })).toContain("WHATSAPP_CLOUD_PHONE_NUMBER_ID");
    expect(problems({ ...on, WHATSAPP_CLOUD_APP_SECRET: "" })).toEqual(["WHATSAPP_CLOUD_APP_SECRET"]);
    expect(problems({ ...on, WHATSAPP_CLOUD_VERIFY_TOKEN: "" })).toEqual(["WHATSAPP_CLOUD_VERIFY_TOKEN"]);
    expect(problems({ ...on, WHATSAPP_CLOUD_PHONE_NUMBER_ID: "+92 300" })).toEqual(["WHATSAPP_CLOUD_PHONE_NUMBER_ID"]);
    expect(problems({ ...on, WHATSAPP_CLOUD_RATE_PER_SECOND: "0" })).toEqual(["WHATSAPP_CLOUD_RATE_PER_SECOND"]);
    expect(problems({ ...on, WHATSAPP_CLOUD_USER_GAP_MS: "6000", OUTBOX_LEASE_MS: "10000" })).toEqual(["WHATSAPP_CLOUD_USER_GAP_MS"]);
  });
});

describe("templates.json", () => {
  it("ships the three purposes", () => {
    const templates = loadTemplates(SHIPPED_CONTENT_DIR);
    expect(Object.keys(templates).sort()).toEqual(["event-announcement", "event-reminder", "progress-nudge"]);
    expect(templates["event-announcement"]).toEqual({ name: "summit_invite", languages: { en: "en", ur: "ur", "ur-Latn": "en" }, parameters: ["title", "date", "venue"] });
  });

  it("refuses a bad file with the path and field, and reads a missing one as no templates", () => {
    const dir = mkdtempSync(join(tmpdir(), "tpl-"));
    try {
      expect(loadTemplates(dir)).toEqual({});
      mkdirSync(join(dir, "whatsapp"));
      writeFileSync(join(dir, "whatsapp", "templates.json"), JSON.stringify({ "event-announcement": { name: "Summit Invite", languages: { en: "en", ur: "ur", "ur-Latn": "en" } } }));
      expect(() => loadTemplates(dir)).toThrow(/templates\.json: event-announcement\.name/);
      writeFileSync(join(dir, "whatsapp", "templates.json"), JSON.stringify({ "summit-nudge": { name: "x", languages: { en: "en", ur: "ur", "ur-Latn": "en" } } }));
      expect(() => loadTemplates(dir)).toThrow(/summit-nudge|Unrecognized/);
      writeFileSync(join(dir, "whatsapp", "templates.json"), "{");
      expect(() => loadTemplates(dir)).toThrow(/not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
