import { randomBytes } from "node:crypto";
import { Curve, initAuthCreds, proto, signedKeyPair, type SignalDataSet, type SignalDataTypeMap } from "@whiskeysockets/baileys";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CorruptSessionError, deserialize, loadAuthState, serialize } from "../../src/channels/whatsapp/auth-store.ts";
import { createTestDatabase, testProvider, type TestDatabase } from "../support/database.ts";
import { linkedCreds, memoryLog } from "./support.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.cleanup());
const silent = pino({ level: "silent" });

/** One key of every type Baileys 7 stores, made with Baileys' own helpers. */
function everyKeyType(): { [T in keyof SignalDataTypeMap]: Record<string, SignalDataTypeMap[T]> } {
  const identity = Curve.generateKeyPair();
  const signed = signedKeyPair(identity, 7);
  return {
    "pre-key": { "1": Curve.generateKeyPair(), "2": signed.keyPair },
    session: { "923001110001.0": randomBytes(420), "201234567890123_1.3": randomBytes(380) },
    "sender-key": { "120363012345678901@g.us::209876543210987_1::0": randomBytes(200) },
    "sender-key-memory": { "120363012345678901@g.us": { "209876543210987:3@lid": true, "923002220002@s.whatsapp.net": false } },
    "app-state-sync-key": {
      AAAAAGkB: proto.Message.AppStateSyncKeyData.fromObject({ keyData: randomBytes(32), fingerprint: { rawId: 12345, currentIndex: 2, deviceIndexes: [0, 7] }, timestamp: 1795773600000 }),
    },
    "app-state-sync-version": { regular_high: { version: 42, hash: randomBytes(128), indexValueMap: { "aGVsbG8=": { valueMac: randomBytes(32) } } } },
    "lid-mapping": { "923001110001": "201234567890123", "201234567890123_reverse": "923001110001" },
    "device-list": { "923001110001": ["0", "7", "12"] },
    tctoken: { "201234567890123@lid": { token: randomBytes(24), timestamp: "1795773600" } },
    "identity-key": { "201234567890123.0": identity.public },
  };
}

describe(`auth state in the database (${testProvider})`, () => {
  it("round-trips credentials made by initAuthCreds, Buffers included", async () => {
    const first = await loadAuthState(db.prisma, "s-creds", silent);
    expect(first.stored).toBe(false);
    Object.assign(first.state.creds, linkedCreds());
    await first.saveCreds();
    const second = await loadAuthState(db.prisma, "s-creds", silent);
    expect(second.stored).toBe(true);
    expect(serialize(second.state.creds)).toBe(serialize(first.state.creds));
    expect(Buffer.isBuffer(second.state.creds.noiseKey.private)).toBe(true);
    expect(second.state.creds.signedIdentityKey.public).toEqual(first.state.creds.signedIdentityKey.public);
  });

  it("round-trips keys of every type (lid-mapping, device-list, tctoken included) and deletes on null", async () => {
    const auth = await loadAuthState(db.prisma, "s-keys", silent);
    const keys = everyKeyType();
    await auth.state.keys.set(keys as SignalDataSet);
    const again = await loadAuthState(db.prisma, "s-keys", silent);
    for (const [type, entries] of Object.entries(keys)) {
      const got = await again.state.keys.get(type as keyof SignalDataTypeMap, [...Object.keys(entries), "missing"]);
      expect(Object.keys(got).sort(), type).toEqual(Object.keys(entries).sort());
      for (const [id, value] of Object.entries(entries)) expect(serialize(got[id]), `${type}/${id}`).toBe(serialize(value));
    }
    const sync = await again.state.keys.get("app-state-sync-key", ["AAAAAGkB"]);
    expect(sync.AAAAAGkB).toBeInstanceOf(proto.Message.AppStateSyncKeyData);
    const tc = await again.state.keys.get("tctoken", ["201234567890123@lid"]);
    expect(Buffer.isBuffer(tc["201234567890123@lid"]?.token)).toBe(true);

    await again.state.keys.set({ "pre-key": { "1": null }, "lid-mapping": { "923001110001": "201234567890123-new" } });
    expect(Object.keys(await again.state.keys.get("pre-key", ["1", "2"]))).toEqual(["2"]);
    expect(await again.state.keys.get("lid-mapping", ["923001110001"])).toEqual({ "923001110001": "201234567890123-new" });
  });

  it("writes a key batch all or nothing", async () => {
    const auth = await loadAuthState(db.prisma, "s-atomic", silent);
    const bad = { "pre-key": { "5": Curve.generateKeyPair() }, "device-list": { x: [1n] as unknown as string[] } };
    await expect(auth.state.keys.set(bad as SignalDataSet)).rejects.toThrow();
    expect(await auth.state.keys.get("pre-key", ["5"])).toEqual({});
    // The write chain survives a failed write.
    await auth.state.keys.set({ "pre-key": { "6": Curve.generateKeyPair() } });
    expect(Object.keys(await auth.state.keys.get("pre-key", ["6"]))).toEqual(["6"]);
  });

  it("keeps sessions of different numbers apart, and clear() removes only its own", async () => {
    const a = await loadAuthState(db.prisma, "s-a", silent);
    const b = await loadAuthState(db.prisma, "s-b", silent);
    await a.saveCreds();
    await b.saveCreds();
    await a.state.keys.set({ "lid-mapping": { "1": "2" } });
    await b.state.keys.set({ "lid-mapping": { "1": "3" } });
    await a.clear();
    expect(await db.prisma.whatsAppAuthKey.count({ where: { session: "s-a" } })).toBe(0);
    expect(await b.state.keys.get("lid-mapping", ["1"])).toEqual({ "1": "3" });
    expect((await loadAuthState(db.prisma, "s-a", silent)).stored).toBe(false);
  });

  it("a corrupted stored session is reported clearly and never overwritten", async () => {
    for (const [session, value] of [["s-bad-json", "{not json"], ["s-bad-shape", JSON.stringify({ hello: "world" })]] as const) {
      await db.prisma.whatsAppAuthKey.create({ data: { session, type: "creds", keyId: "", value } });
      const error = await loadAuthState(db.prisma, session, silent).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CorruptSessionError);
      expect((error as Error).message).toMatch(/unreadable.*whatsapp login --reset/);
      const row = await db.prisma.whatsAppAuthKey.findFirstOrThrow({ where: { session, type: "creds" } });
      expect(row.value).toBe(value);
    }
  });

  it("an unreadable key is skipped with an error in the log, not a crash", async () => {
    const { log, lines } = memoryLog();
    const auth = await loadAuthState(db.prisma, "s-bad-key", log);
    await auth.state.keys.set({ session: { good: randomBytes(10) } });
    await db.prisma.whatsAppAuthKey.create({ data: { session: "s-bad-key", type: "session", keyId: "bad", value: "{{{" } });
    const got = await auth.state.keys.get("session", ["good", "bad"]);
    expect(Object.keys(got)).toEqual(["good"]);
    expect(lines.some((l) => l.level === 50 && /unreadable WhatsApp key/.test(String(l.msg)))).toBe(true);
  });

  it("serialises with BufferJSON so Baileys' own files and ours agree", () => {
    const creds = initAuthCreds();
    expect(serialize(deserialize(serialize(creds)))).toBe(serialize(creds));
    expect(serialize({ b: Buffer.from([1, 2]) })).toBe('{"b":{"type":"Buffer","data":"AQI="}}');
  });
});
