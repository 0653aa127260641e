/**
 * What starting a traceback takes, as received: the members and their bounds, apart from the use
 * case so that the contract (and the console's forms, which validate with it) can build on them
 * without loading what starting one does.
 */
import { z } from "zod";
import { DEADLINE_POLICY_NAMES } from "../domain/deadlines/names.js";
import { timestampInput } from "../domain/timestamp.js";

/** Control, format and line-separator characters: invisible, or able to disguise what is stored. */
export const UNPRINTABLE = /[\p{C}\p{Zl}\p{Zp}]/u;

/** The calling number as captured: any printable text, since the caller ID of a traced call is often spoofed. */
export const callingNumberInput = z
  .string()
  .min(1)
  .max(64)
  .refine((s) => s.trim() !== "", "the calling number is blank")
  .refine((s) => !UNPRINTABLE.test(s), "the calling number holds control or format characters");

/** A telephone number as received: any form that reads as a valid E.164 number once normalised. */
export const e164Input = z.string().min(3).max(32);

/** What the call said, as transcribed. */
export const transcriptInput = z.string().min(1).max(8000);

/** What starting a traceback takes, each member within its bounds: the contract's `CreateTraceback` is built from it. */
export const createTracebackInputSchema = z.object({
  callingNumber: callingNumberInput,
  calledNumber: e164Input,
  callTime: timestampInput,
  terminatingProviderId: z.string().min(1).max(64),
  /** Only the consortium may start a traceback on behalf of an initiator. */
  initiatorId: z.string().min(1).max(64).optional(),
  campaign: z.string().min(1).max(200).optional(),
  notes: z.string().max(4000).optional(),
  mediaUrl: z.string().url().max(2048).optional(),
  transcript: transcriptInput.optional(),
  identityHeaders: z.array(z.string().min(1).max(8192)).max(5).optional(),
  /** Certificates of the signers, by x5u URL; the others are fetched from their x5u. */
  certificates: z
    .array(z.object({ url: z.string().url().max(2048), pem: z.string().min(1).max(16_384) }).strict())
    .max(5)
    .optional(),
  deadlinePolicy: z.enum(DEADLINE_POLICY_NAMES).optional(),
});
export type CreateTracebackInput = z.infer<typeof createTracebackInputSchema>;
