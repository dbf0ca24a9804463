/**
 * Small helpers for writing feature middleware, in the spirit of grammY's Composer.
 */
import type { Ctx, Middleware, Next } from "./context.ts";
import { keyText } from "./text.ts";

/** Runs middleware in order; each decides whether to call `next`. */
export function compose(middleware: Middleware[]): Middleware {
  return (ctx, last) => {
    const dispatch = (i: number): Promise<void> => {
      const fn = middleware[i];
      if (!fn) return last();
      let called = false;
      return fn(ctx, () => {
        if (called) throw new Error("next() called twice");
        called = true;
        return dispatch(i + 1);
      });
    };
    return dispatch(0);
  };
}

/**
 * Handles choices whose data starts with `prefix` (e.g. `"lang:"`), passing the rest.
 * Choice data is `<feature>:<action>[:args]`, at most 64 bytes.
 */
export function onChoice(prefix: string, handler: (ctx: Ctx, rest: string, next: Next) => Promise<void>): Middleware {
  return async (ctx, next) => {
    const c = ctx.message.content;
    if (c.kind === "choice" && c.data.startsWith(prefix)) return handler(ctx, c.data.slice(prefix.length), next);
    return next();
  };
}

/**
 * Handles text whose normalised form (see `keyText`) is one of `words` exactly, or starts
 * with a `/command` in the list (arguments after it are passed on).
 */
export function onWords(words: string[], handler: (ctx: Ctx, args: string, next: Next) => Promise<void>): Middleware {
  const set = new Set(words.map(keyText));
  return async (ctx, next) => {
    if (ctx.message.content.kind !== "text") return next();
    const key = keyText(ctx.text);
    if (set.has(key)) return handler(ctx, "", next);
    const command = /^(\/[a-z_]+)(?:@\w+)?(?:\s+([\s\S]*))?$/i.exec(ctx.text.trim());
    if (command?.[1] && set.has(command[1].toLowerCase())) return handler(ctx, command[2]?.trim() ?? "", next);
    return next();
  };
}
