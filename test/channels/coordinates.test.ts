/**
 * Location pins are checked where they enter: Telegram updates (a forged one can carry
 * latitude 999, 1e308 or text) and the terminal's `/loc`. A bad pin gets a reply saying
 * what is wrong and is never stored.
 */
import { PassThrough } from "node:stream";
import type { Update } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConsoleAdapter } from "../../src/channels/console/index.ts";
import { toInbound, type InboundDecision } from "../../src/channels/telegram/index.ts";
import type { InboundMessage } from "../../src/core/types.ts";
import { createTestApp, type TestApp } from "../support/app.ts";

const me = { id: 999, username: "seller_test_bot" };
let n = 0;
function pin(location: Record<string, unknown>, venue = false): Update {
  n += 1;
  const from = { id: 1001, is_bot: false, first_name: "Ayesha" };
  const extra = venue ? { venue: { location, title: "Hall", address: "Road" }, location } : { location };
  return { update_id: n, message: { message_id: n, date: 1_700_000_000, from, chat: { id: 1001, type: "private", first_name: "Ayesha" }, ...extra } } as unknown as Update;
}
const content = (d: InboundDecision) => (d as Extract<InboundDecision, { action: "deliver" }>).message.content;

const BAD: Array<Record<string, unknown>> = [
  { latitude: 999, longitude: 74.5 },
  { latitude: 32.5, longitude: -181 },
  { latitude: 1e308, longitude: 74.5 },
  { latitude: "abc", longitude: 74.5 },
  { latitude: 32.5 },
  { latitude: 0, longitude: 0 },
];

describe("Telegram location pins", () => {
  it.each(BAD)("turns %j into an invalid location, not a pin", (location) => {
    expect(content(toInbound(pin(location), me))).toEqual({ kind: "unsupported", what: "invalid-location" });
    expect(content(toInbound(pin(location, true), me))).toEqual({ kind: "unsupported", what: "invalid-location" });
  });

  it("passes real pins through, the edges of the range included", () => {
    expect(content(toInbound(pin({ latitude: -90, longitude: 180 }), me))).toEqual({ kind: "location", latitude: -90, longitude: 180 });
  });
});

describe("the terminal's /loc", () => {
  async function inbound(line: string): Promise<InboundMessage> {
    const input = new PassThrough();
    const adapter = createConsoleAdapter({ input, output: new PassThrough(), interactive: false });
    const got = new Promise<InboundMessage>((resolve) => void adapter.start(async (m) => resolve(m)));
    input.write(`${line}\n`);
    const m = await got;
    input.end();
    return m;
  }

  it.each(["/loc 999 74.5", "/loc 32.5 1e308", "/loc abc def", "/loc 32.5", "/loc", "/location 91, 10"])("%j is an invalid location", async (line) => {
    expect((await inbound(line)).content).toEqual({ kind: "unsupported", what: "invalid-location" });
  });

  it("reads a good pin, with a comma or spaces", async () => {
    expect((await inbound("/loc 32.49, 74.53")).content).toEqual({ kind: "location", latitude: 32.49, longitude: 74.53 });
    expect((await inbound("/loc -33.9 18.4")).content).toEqual({ kind: "location", latitude: -33.9, longitude: 18.4 });
  });
});

describe("a bad pin in chat", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ channel: "telegram" });
  });
  afterAll(async () => t.close());

  it("gets a reply naming the valid range and stores nothing", async () => {
    const message = { ...t.inbound("x", { id: "1001" }), content: content(toInbound(pin({ latitude: 999, longitude: 74.5 }), me)) };
    const before = t.adapter.sent.length;
    await t.adapter.receive(message);
    const [reply] = t.adapter.sent.slice(before).map((s) => s.message.text);
    expect(reply).toBe(t.app.deps.i18n.t("en")("common:invalidLocation"));
    expect(reply).toMatch(/-90.*90.*-180.*180/);
    expect(await t.app.deps.db.sellerProfile.count()).toBe(0);
  });
});
