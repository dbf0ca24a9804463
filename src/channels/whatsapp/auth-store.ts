/**
 * Baileys' {@link AuthenticationState} stored through Prisma: the credentials and every
 * Signal key type (including v7's lid-mapping, device-list and tctoken) as one row each,
 * serialised with Baileys' BufferJSON. Written on every `creds.update` and every key
 * change, so a restart or another machine resumes the session. Baileys' own
 * Baileys' multi-file auth helper is a demo (its source says so); production keeps this in a DB.
 */
import { BufferJSON, initAuthCreds, proto, type AuthenticationCreds, type AuthenticationState, type SignalDataSet, type SignalDataTypeMap, type SignalKeyStore } from "@whiskeysockets/baileys";
import type { Logger } from "pino";
import { z } from "zod";
import type { Db } from "../../db/client.ts";

/** The stored session could not be read; it is left untouched. */
export class CorruptSessionError extends Error {
  constructor(readonly session: string, detail: string) {
    super(
      `The stored WhatsApp session "${session}" is unreadable (${detail}). It was left as it is. ` +
        "To link the number again: npx seller-bot whatsapp login --reset",
    );
    this.name = "CorruptSessionError";
  }
}

/** A database-backed auth state for one WhatsApp number. */
export interface StoredAuthState {
  state: AuthenticationState;
  /** True when credentials were found in the database (an earlier login). */
  readonly stored: boolean;
  /** Writes the current credentials (call on every `creds.update`). */
  saveCreds(): Promise<void>;
  /** Removes the whole session (creds and keys) and starts over with fresh credentials. */
  clear(): Promise<void>;
  /** Resolves when every write issued so far has finished. */
  flush(): Promise<void>;
}

const CREDS = "creds";
// SQLite allows 32766 bound variables; stay far below it for `IN (…)` lists.
const CHUNK = 400;

// Enough of the shape to know the JSON is Baileys credentials and not something else.
const keyPair = z.object({ public: z.instanceof(Uint8Array), private: z.instanceof(Uint8Array) });
const credsSchema = z
  .object({
    noiseKey: keyPair,
    pairingEphemeralKeyPair: keyPair,
    signedIdentityKey: keyPair,
    signedPreKey: z.object({ keyPair, signature: z.instanceof(Uint8Array), keyId: z.number() }),
    registrationId: z.number(),
    advSecretKey: z.string(),
  })
  .loose();

/** Serialises a value the way Baileys expects (Buffers as `{type:"Buffer",data:base64}`). */
export function serialize(value: unknown): string {
  return JSON.stringify(value, BufferJSON.replacer);
}

/** Reads back a value written by {@link serialize}. Throws on bad JSON. */
export function deserialize(text: string): unknown {
  return JSON.parse(text, BufferJSON.reviver);
}

/**
 * Loads (or starts) the auth state of `session`. Throws {@link CorruptSessionError} when the
 * stored credentials cannot be read, so the caller never connects with fresh credentials
 * and overwrites the old ones.
 */
export async function loadAuthState(db: Db, session: string, log: Logger): Promise<StoredAuthState> {
  const row = await db.whatsAppAuthKey.findUnique({ where: { session_type_keyId: { session, type: CREDS, keyId: "" } } });
  let creds: AuthenticationCreds;
  if (row) {
    let parsed: unknown;
    try {
      parsed = deserialize(row.value);
    } catch (error) {
      throw new CorruptSessionError(session, `credentials are not valid JSON: ${(error as Error).message}`);
    }
    const checked = credsSchema.safeParse(parsed);
    if (!checked.success) throw new CorruptSessionError(session, `credentials lack ${checked.error.issues[0]?.path.join(".") || "fields"}`);
    creds = parsed as AuthenticationCreds;
  } else {
    creds = initAuthCreds();
  }

  // Writes go one after another so a later creds.update never lands before an earlier one.
  let chain: Promise<void> = Promise.resolve();
  const serial = (work: () => Promise<void>) => {
    const next = chain.then(work);
    chain = next.catch(() => undefined);
    return next;
  };

  const keys: SignalKeyStore = {
    async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      const out: Record<string, SignalDataTypeMap[T]> = {};
      for (let i = 0; i < ids.length; i += CHUNK) {
        const rows = await db.whatsAppAuthKey.findMany({ where: { session, type, keyId: { in: ids.slice(i, i + CHUNK) } } });
        for (const r of rows) {
          try {
            let value = deserialize(r.value);
            if (type === "app-state-sync-key" && value) value = proto.Message.AppStateSyncKeyData.fromObject(value as object);
            out[r.keyId] = value as SignalDataTypeMap[T];
          } catch (error) {
            // One unreadable key is treated as missing (Baileys renegotiates it); never a crash.
            log.error({ session, type, err: error }, "unreadable WhatsApp key skipped");
          }
        }
      }
      return out;
    },
    set: (data: SignalDataSet) => serial(() => writeKeys(db, session, data)),
    clear: () => serial(async () => void (await db.whatsAppAuthKey.deleteMany({ where: { session, NOT: { type: CREDS } } }))),
  };

  const state: AuthenticationState = { creds, keys };
  return {
    state,
    stored: Boolean(row),
    saveCreds: () =>
      serial(async () => {
        const value = serialize(state.creds);
        await db.whatsAppAuthKey.upsert({
          where: { session_type_keyId: { session, type: CREDS, keyId: "" } },
          create: { session, type: CREDS, keyId: "", value },
          update: { value },
        });
      }),
    clear: () =>
      serial(async () => {
        await db.whatsAppAuthKey.deleteMany({ where: { session } });
        state.creds = initAuthCreds();
      }),
    flush: () => chain,
  };
}

/** Deletes every stored row of a session (used by `whatsapp login --reset`). */
export async function deleteSession(db: Db, session: string): Promise<number> {
  return (await db.whatsAppAuthKey.deleteMany({ where: { session } })).count;
}

/** One `keys.set` call = one transaction: all of it is stored, or none of it. */
async function writeKeys(db: Db, session: string, data: SignalDataSet): Promise<void> {
  const ops = [];
  for (const [type, entries] of Object.entries(data)) {
    const removed: string[] = [];
    for (const [keyId, value] of Object.entries(entries ?? {})) {
      if (value === null || value === undefined) {
        removed.push(keyId);
        continue;
      }
      const text = serialize(value);
      ops.push(
        db.whatsAppAuthKey.upsert({
          where: { session_type_keyId: { session, type, keyId } },
          create: { session, type, keyId, value: text },
          update: { value: text },
        }),
      );
    }
    for (let i = 0; i < removed.length; i += CHUNK) {
      ops.push(db.whatsAppAuthKey.deleteMany({ where: { session, type, keyId: { in: removed.slice(i, i + CHUNK) } } }));
    }
  }
  if (ops.length > 0) await db.$transaction(ops);
}
