/**
 * The messages on the delivery queue. An `event` message fans out to the recipient's endpoints;
 * an `attempt` message is one delivery attempt of one event to one endpoint, so that a slow or
 * dead endpoint only ever holds up its own messages.
 */
import { z } from "zod";
import { hubEventSchema } from "../domain/events.js";

export const deliveryMessageSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("event"),
    event: hubEventSchema,
    /** Sent again (the reconciler's copy, or a redelivery): the first copy may have made its attempts, or be making them. */
    recovered: z.literal(true).optional(),
  }),
  z.object({
    kind: z.literal("attempt"),
    eventId: z.string().min(1),
    endpointId: z.string().min(1),
    attempt: z.number().int().positive(),
    /** Epoch ms before which the attempt must not run; SQS delays are capped at 15 minutes. */
    notBefore: z.number().int().nonnegative(),
    /** The event itself, so that the attempt need not read it (absent when the reconciler re-enqueues). */
    event: hubEventSchema.optional(),
  }),
]);

export type DeliveryMessage = z.infer<typeof deliveryMessageSchema>;
