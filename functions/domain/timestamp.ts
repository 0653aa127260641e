import { z } from "zod";

/** An instant with its UTC offset, as received. */
export const timestampInput = z.string().datetime({ offset: true });
