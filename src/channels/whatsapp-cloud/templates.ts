/**
 * The approved message templates announcements use outside the 24-hour window
 * (content/whatsapp/templates.json). Names must match templates approved in Meta's
 * WhatsApp Manager; a purpose without an entry is never sent outside the window.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { Lang, TemplatePurpose } from "../../core/types.ts";

const templateSchema = z.object({
  /** The template's name in WhatsApp Manager: lowercase letters, digits and underscores. */
  name: z.string().regex(/^[a-z0-9_]{1,512}$/, "expected the template name as in WhatsApp Manager (a-z, 0-9, _)"),
  /** The approved language code to use for each reply language ("en", "ur", "en_US" …). */
  languages: z.object({ en: z.string().min(2), ur: z.string().min(2), "ur-Latn": z.string().min(2) }),
  /** The values of {{1}}, {{2}} … in order, by name (title, date, venue …). */
  parameters: z.array(z.string().min(1)).max(20).default([]),
});

/** The file's form: one entry per purpose, each optional. */
export const templatesSchema = z
  .object({
    "event-announcement": templateSchema.optional(),
    "event-reminder": templateSchema.optional(),
    "progress-nudge": templateSchema.optional(),
  })
  .strict();

/** One approved template. */
export type Template = z.infer<typeof templateSchema>;
/** Templates by purpose. */
export type Templates = Partial<Record<TemplatePurpose, Template>>;

/** Where the file lives inside a content folder. */
export function templatesPath(contentDir: string): string {
  return join(contentDir, "whatsapp", "templates.json");
}

/** Loads and validates the templates; a missing file means none. Throws with the field on a bad file. */
export function loadTemplates(contentDir: string): Templates {
  const path = templatesPath(contentDir);
  if (!existsSync(path)) return {};
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = templatesSchema.safeParse(data);
  if (!parsed.success) throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

/** The template body's parameters in order; a value the sender did not supply is "-" (Meta refuses an empty one). */
export function templateValues(template: Template, parameters: Record<string, string>): string[] {
  return template.parameters.map((name) => {
    const value = (parameters[name] ?? "").replace(/\s+/g, " ").trim();
    // A parameter may not hold new lines, tabs or more than four spaces in a row, and is at most 1024 characters here.
    return value ? Array.from(value).slice(0, 1024).join("") : "-";
  });
}

/** The language code to send a template in for a reply language. */
export function templateLanguage(template: Template, lang: Lang): string {
  return template.languages[lang];
}
