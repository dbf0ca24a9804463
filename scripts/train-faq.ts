/**
 * `npm run faq:train [-- --content content/faq] [--dry-run]`
 *
 * Learns the FAQ confidence from the repo's content alone (src/features/faq/train.ts): k-fold
 * over the knowledge-base examples and the out-of-scope questions, a logistic regression
 * over the matcher's ranking features, the confident threshold that keeps out-of-scope
 * rejection at 90% on the held-out folds. Writes src/features/faq/calibration.json (unless
 * --dry-run) and prints the cross-validated figures. Run it after large content changes or
 * any change to the matcher's features; no eval file is read.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { CALIBRATION_FILE } from "../src/features/faq/calibration.ts";
import { loadFaqContent } from "../src/features/faq/knowledge.ts";
import { summary, trainFaqCalibration } from "../src/features/faq/train.ts";

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

const started = performance.now();
const content = loadFaqContent(resolve(option("--content") ?? "content/faq"));
const { calibration, figures } = trainFaqCalibration(content.topics, content.negatives, content.lexicon, {
  folds: Number(option("--folds") ?? 5),
  l2: Number(option("--l2") ?? 1),
  targetRejection: Number(option("--target") ?? 0.91),
});
console.log(`trained on ${String(calibration.trained?.examples)} examples of ${content.topics.length} topics and ${String(calibration.trained?.outOfScope)} out-of-scope questions in ${((performance.now() - started) / 1000).toFixed(1)} s`);
console.log(`thresholds: confident ≥ ${calibration.thresholds.confident}, unsure ≥ ${calibration.thresholds.unsure}`);
console.log("cross-validated:", Object.entries(summary(figures)).map(([k, v]) => `${k} ${v}`).join(", "));
if (!args.includes("--dry-run")) {
  // Six significant digits: the file stays readable and diffs stay small.
  const rounded = JSON.stringify(calibration, (_, v: unknown) => (typeof v === "number" ? Number(v.toPrecision(6)) : v), 2);
  writeFileSync(CALIBRATION_FILE, `${rounded}\n`);
  console.log(`wrote ${CALIBRATION_FILE}`);
}
