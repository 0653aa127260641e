/**
 * The X.509 half of STIR/SHAKEN (certificate parsing and PASSporT verification), loaded on first
 * use: @peculiar/x509, asn1js and reflect-metadata are a fifth of the API's bundle and most
 * requests carry no Identity header, so a function that never sees one never evaluates them.
 */
import "reflect-metadata";

export { X509Certificate } from "@peculiar/x509";
export { verifyIdentity } from "../domain/shaken/verify.js";
