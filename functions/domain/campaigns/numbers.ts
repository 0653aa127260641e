/**
 * Calling numbers as campaign evidence. A campaign rotates through numbers it holds in a few
 * thousand-blocks (NPA-NXX-X), so a shared block links calls as a shared number does, more
 * weakly. A number in the called party's own exchange (neighbor spoofing) is made up per victim:
 * it says nothing about who called.
 */

/** The ten NANP digits of a number, when it is one. */
export function nanpDigits(number: string): string | undefined {
  const digits = number.replace(/\D/g, "");
  const national = digits.length === 11 && digits.startsWith("1") ? digits.slice(1) : digits;
  return /^[2-9]\d{2}[2-9]\d{6}$/.test(national) ? national : undefined;
}

export interface NumberEvidence {
  /** The number itself, as digits, when it can tell callers apart. */
  number?: string;
  /** Its thousand-block, NPA-NXX-X. */
  block?: string;
}

export function numberEvidence(calling: string, called: string | undefined): NumberEvidence {
  const from = nanpDigits(calling);
  if (!from) {
    const digits = calling.replace(/\D/g, "");
    return digits.length >= 7 ? { number: digits } : {};
  }
  const to = called ? nanpDigits(called) : undefined;
  if (to && to.slice(0, 6) === from.slice(0, 6)) return {};
  return { number: from, block: from.slice(0, 7) };
}
