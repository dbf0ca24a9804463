#!/usr/bin/env node
// The `seller-bot` command. TypeScript runs through tsx's loader so there is no build step
// between a clone and a running bot (docs/decisions/0002-run-typescript-with-tsx.md).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
// Everything is closed by now. A socket to a silent database (or another stuck handle)
// must not keep the process alive: a supervisor waiting for the exit would wait forever.
setTimeout(() => process.exit(), 300).unref();
