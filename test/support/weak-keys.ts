/**
 * Ed25519 public keys a hub must refuse, as JWK `x` values: the eight points of small order
 * (anyone can sign for them), every non-canonical encoding (y >= p, or the sign bit set for
 * x = 0), and points with a torsion component. Computed with @noble/curves, not by hand.
 */
import { ED25519_TORSION_SUBGROUP, ed25519 } from "@noble/curves/ed25519.js";
import { numberToBytesLE } from "@noble/curves/utils.js";

const b64u = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

export interface WeakKey {
  name: string;
  x: string;
}

export const IDENTITY_X = "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
export const ALL_ZERO_X = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

export const SMALL_ORDER_KEYS: WeakKey[] = ED25519_TORSION_SUBGROUP.map((hex, i) => ({ name: `small order #${i}`, x: b64u(Buffer.from(hex, "hex")) }));

/** y + p for every y < 19 that is the y of a point, with either sign bit; and x = 0 with the sign bit. */
export function nonCanonicalKeys(): WeakKey[] {
  const out: WeakKey[] = [];
  for (let y = 0n; y < 19n; y++) {
    for (const signBit of [0, 0x80]) {
      const encoded = numberToBytesLE(y + ed25519.Point.Fp.ORDER, 32);
      encoded[31] = encoded[31]! | signBit;
      try {
        ed25519.Point.fromBytes(encoded, true);
        out.push({ name: `y = ${y} + p${signBit ? ", sign bit" : ""}`, x: b64u(encoded) });
      } catch {
        // not the y of any point
      }
    }
  }
  for (const [name, hex] of [
    ["identity, sign bit set", "0100000000000000000000000000000000000000000000000000000000000080"],
    ["order 2, sign bit set", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"],
  ] as const) {
    out.push({ name, x: b64u(Buffer.from(hex, "hex")) });
  }
  return out;
}

/** A real public key plus each point of small order but the identity: on the curve, not in the prime-order subgroup. */
export function mixedOrderKeys(x: string): WeakKey[] {
  const point = ed25519.Point.fromBytes(Buffer.from(x, "base64url"));
  return ED25519_TORSION_SUBGROUP.slice(1).map((hex, i) => ({
    name: `mixed order #${i + 1}`,
    x: b64u(point.add(ed25519.Point.fromBytes(Buffer.from(hex, "hex"))).toBytes()),
  }));
}

export function weakKeys(strongX: string): WeakKey[] {
  return [...SMALL_ORDER_KEYS, ...nonCanonicalKeys(), ...mixedOrderKeys(strongX)];
}
