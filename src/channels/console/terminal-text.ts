/**
 * Text for a terminal: lines wrapped at word boundaries to the terminal's width, and a
 * right-to-left mark (U+200F) at the start of each line written in Urdu script, so a
 * terminal that lays out bidirectional text starts it from the right, and a URL or number
 * at the start of an Urdu line does not turn the line left to right.
 */

/** RIGHT-TO-LEFT MARK. */
export const RLM = "\u200f";

const RTL_CHAR = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]/u;
const LTR_CHAR = /[A-Za-z\u00c0-\u024f]/u;
// Marks drawn on the letter before them: no column of their own.
const ZERO_WIDTH = /[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u200b-\u200f\u2066-\u2069\ufe0f]/u;
const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|\p{Extended_Pictographic}/u;

/** Columns a string takes in a terminal (marks 0, emoji and East Asian wide 2, else 1). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += ZERO_WIDTH.test(ch) ? 0 : WIDE.test(ch) ? 2 : 1;
  return width;
}

/**
 * Whether a line reads right to left: in a message most of whose lines have Urdu script,
 * every line with Urdu in it ("1. Sample Desk منتخب کریں" starts with a Latin name but is an
 * Urdu sentence); otherwise a line whose first letter is Urdu script.
 */
export function isRightToLeft(line: string, mostlyRtl = false): boolean {
  if (mostlyRtl && RTL_CHAR.test(line)) return true;
  for (const ch of line) {
    if (RTL_CHAR.test(ch)) return true;
    if (LTR_CHAR.test(ch)) return false;
  }
  return false;
}

/**
 * Wraps each line to `width` columns at spaces (a word longer than the line, such as a
 * URL, is cut), keeps the indentation of list items, and marks right-to-left lines.
 */
export function formatForTerminal(text: string, width: number): string {
  const columns = Math.max(20, Math.floor(width) - 1);
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const mostlyRtl = lines.filter((l) => RTL_CHAR.test(l)).length * 2 > lines.length;
  return text
    .split("\n")
    .flatMap((line) => {
      const rtl = isRightToLeft(line, mostlyRtl);
      return wrapLine(line, columns).map((l) => (rtl && l !== "" ? `${RLM}${l}` : l));
    })
    .join("\n");
}

function wrapLine(line: string, columns: number): string[] {
  if (displayWidth(line) <= columns) return [line];
  const indent = /^\s*/.exec(line)![0];
  // A continuation of "1. Something long" lines up under "Something".
  const hang = " ".repeat(Math.min(displayWidth(/^\s*(?:\d+[.)]|[-•*])?\s*/.exec(line)![0]), Math.floor(columns / 3)));
  const words = line.slice(indent.length).split(/ +/);
  const out: string[] = [];
  let current = indent;
  let currentWidth = displayWidth(indent);
  const push = () => {
    out.push(current.trimEnd());
    current = hang;
    currentWidth = hang.length;
  };
  for (const word of words) {
    const w = displayWidth(word);
    const fresh = current.trim() === "";
    if (!fresh && currentWidth + 1 + w > columns) push();
    if (w > columns - currentWidth) {
      // Longer than a whole line: cut it where the line ends.
      for (const ch of word) {
        const cw = displayWidth(ch);
        if (currentWidth + cw > columns) push();
        current += ch;
        currentWidth += cw;
      }
      continue;
    }
    const sep = current.trim() === "" ? "" : " ";
    current += sep + word;
    currentWidth += sep.length + w;
  }
  if (current.trim() !== "") out.push(current.trimEnd());
  return out;
}
