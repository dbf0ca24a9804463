/**
 * The partner CSV contract (../shared/design.md): columns, per-row validation with zod and
 * normalisation, so that importing a file, exporting it and importing the export again
 * changes nothing.
 */
import { z } from "zod";

/** The CSV columns, in export order. */
export const PARTNER_COLUMNS = ["name", "city", "address", "latitude", "longitude", "phone", "whatsapp", "telegram", "categories", "languages"] as const;

/** A validated, normalised partner row. */
export type PartnerRowInput = z.infer<typeof partnerRowSchema>;

const text = (max: number) => z.string().trim().max(max, `at most ${max} characters`);
const optional = <T>(schema: z.ZodType<T, string>) =>
  z
    .string()
    .trim()
    .transform((v) => (v === "" ? null : v))
    .pipe(schema.nullable());

/** Digits of a phone number in international form: "0300 1234567" → "923001234567". */
export function phoneDigits(value: string): string {
  let digits = value.replace(/\D/g, "");
  if (digits.startsWith("00")) digits = digits.slice(2);
  else if (/^0\d{10}$/.test(digits)) digits = `92${digits.slice(1)}`; // Pakistani national format
  return digits;
}

const PHONE = /^\+?[0-9][0-9 ()\-]{5,22}$/;
const phone = z.string().regex(PHONE, "a phone number like +92 52 1234567").refine((v) => phoneDigits(v).length >= 7 && phoneDigits(v).length <= 15, "7 to 15 digits");

const list = (item: z.ZodType<string, string>) =>
  z
    .string()
    .transform((v) => [...new Set(v.split(";").map((s) => s.trim().toLowerCase()).filter(Boolean))])
    .pipe(z.array(item).max(20, "at most 20 entries"))
    .transform((items) => items.join(";"));

/** A decimal degree as text ("32.4927"), within ±max. */
const coordinate = (max: number) =>
  z
    .string()
    .trim()
    .min(1, "required")
    .regex(/^[-+]?\d{1,3}(\.\d+)?$/, "a decimal number like 32.4927")
    .transform(Number)
    .pipe(z.number().min(-max, `between -${max} and ${max}`).max(max, `between -${max} and ${max}`));

/** One CSV row → a partner. Numbers arrive as strings; empty optional fields become null. */
export const partnerRowSchema = z.object({
  name: text(120).min(2, "required (2 to 120 characters)"),
  city: text(80).min(2, "required"),
  address: text(300),
  latitude: coordinate(90),
  longitude: coordinate(180),
  phone: optional(phone),
  // Stored as "+<digits>" so the wa.me link is always https://wa.me/<digits>.
  whatsapp: optional(phone.transform((v) => `+${phoneDigits(v)}`)),
  telegram: optional(
    z
      .string()
      .transform((v) => v.replace(/^(https?:\/\/)?(t\.me\/|telegram\.me\/)/i, "").replace(/^@/, ""))
      .pipe(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/, "a Telegram username like @name_desk")),
  ),
  categories: list(z.string().max(60, "each category at most 60 characters")),
  languages: list(z.string().max(30, "each language at most 30 characters")),
});

/**
 * Makes deep-link codes from names: "Sample Sialkot Export Desk" → "samplesialkotexpor",
 * then "samplesialkotexpor2", … when taken. One generator per import remembers the next
 * free number per stem, so 10,000 similar names cost O(n), not O(n²).
 */
export function createCodeGenerator(taken: Set<string>): (name: string) => string {
  const next = new Map<string, number>();
  return (name) => {
    const base = name.normalize("NFKD").toLowerCase().replace(/[^a-z0-9]/g, "").slice(0, 18) || "partner";
    let code = base;
    let n = next.get(base) ?? 2;
    while (taken.has(code)) code = `${base}${n++}`;
    next.set(base, n);
    taken.add(code);
    return code;
  };
}

/** The WhatsApp click-to-chat link for a stored number, or null. */
export function whatsappLink(whatsapp: string | null): string | null {
  const digits = whatsapp?.replace(/\D/g, "");
  return digits ? `https://wa.me/${digits}` : null;
}
