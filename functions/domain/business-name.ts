/**
 * Business names as people write them differ in case, punctuation and legal form ("Acme
 * Telecom, LLC", "ACME TELECOM LLC", "Acme Telecom"). The key below makes those equal so that a
 * name can suggest a match; it never decides one (many companies share a name).
 */

/** Legal forms and filler words that do not tell two businesses apart. */
const NOISE = new Set([
  "the",
  "llc",
  "l.l.c",
  "inc",
  "incorporated",
  "corp",
  "corporation",
  "co",
  "company",
  "ltd",
  "limited",
  "lp",
  "llp",
  "plc",
  "pllc",
  "pc",
  "gmbh",
  "sa",
  "srl",
  "bv",
  "dba",
  "d/b/a",
  "and",
  "of",
]);

export function businessNameKey(name: string): string {
  const words = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(/[^a-z0-9/.]+/g, " ")
    .split(" ")
    .map((w) => w.replace(/^[./]+|[./]+$/g, ""))
    .filter((w) => w.length > 0 && !NOISE.has(w));
  return words.join(" ").replace(/[./]/g, "");
}
