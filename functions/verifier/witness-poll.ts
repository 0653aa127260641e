/**
 * One look at the hub: fetch its latest checkpoint and, if the log grew, the consistency proof
 * from the size last seen; judge; keep the new state, or the evidence of an alarm. Only the
 * public log routes and the JWKS are read, never anything signed in the witness's name.
 */
import { readCheckpoint } from "../crypto/checkpoint.js";
import { ConsistencyProofSchema, LogCheckpointSchema } from "../http/schemas/log.js";
import { isAlarm, judge, type Verdict } from "./witness.js";
import { loadState, saveAlarm, saveState, type WitnessState } from "./witness-state.js";

export interface PollOptions {
  hub: string;
  statePath: string;
  /** A JWKS to trust instead of pinning the hub's on first use. */
  jwks?: { keys: object[] };
  fetch?: typeof fetch;
  now?: () => Date;
}

export type PollResult = { verdict: Verdict; alarmFile?: string } | { verdict: "no_checkpoint" };

const MAX_RESPONSE_BYTES = 1 << 20;
const TIMEOUT_MS = 10_000;

export class HubUnavailableError extends Error {
  readonly code = "hub_unavailable";
}

export async function pollOnce(opts: PollOptions): Promise<PollResult> {
  const get = (path: string, allowNotFound = false) => getJson(opts.fetch ?? fetch, new URL(path, opts.hub).toString(), allowNotFound);
  const now = opts.now ?? (() => new Date());
  const stored = await loadState(opts.statePath);
  if (stored && stored.hub !== opts.hub) throw new HubUnavailableError(`${opts.statePath} watches ${stored.hub}, not ${opts.hub}`);
  const jwks = stored?.jwks ?? opts.jwks ?? ((await get("/.well-known/jwks.json")) as { keys: object[] });

  const served = await get("/log/v1/checkpoint", true);
  if (served === undefined) return { verdict: "no_checkpoint" };
  const body = LogCheckpointSchema.safeParse(served);
  if (!body.success) throw new HubUnavailableError("the hub's checkpoint response is not a checkpoint");
  const note = body.data.checkpoint;

  let proof: Uint8Array[] | undefined;
  const last = stored?.last;
  const claimed = safeSize(note);
  if (last && claimed !== undefined && claimed > last.size) {
    const p = ConsistencyProofSchema.safeParse(await get(`/log/v1/proofs/consistency?from=${last.size}&to=${claimed}`));
    if (p.success && p.data.from === last.size && p.data.to === claimed) proof = p.data.proof.map((h) => new Uint8Array(Buffer.from(h, "base64")));
  }

  const verdict = judge(last, note, proof, jwks);
  const at = now();
  if (isAlarm(verdict)) {
    const alarmFile = await saveAlarm(opts.statePath, at, {
      alarm: verdict.kind,
      detail: verdict.detail,
      hub: opts.hub,
      at: at.toISOString(),
      lastAccepted: last ?? null,
      served: { checkpoint: note, consistencyProof: proof?.map((h) => Buffer.from(h).toString("base64")) ?? null },
    });
    return { verdict, alarmFile };
  }
  const state: WitnessState = { version: 1, hub: opts.hub, jwks: jwks as WitnessState["jwks"], last: verdict.accepted, updatedAt: at.toISOString() };
  await saveState(opts.statePath, state);
  return { verdict };
}

function safeSize(note: string): number | undefined {
  try {
    return readCheckpoint(note).size;
  } catch {
    return undefined;
  }
}

async function getJson(fetcher: typeof fetch, url: string, allowNotFound = false): Promise<unknown> {
  let res: Response;
  try {
    res = await fetcher(url, { redirect: "error", signal: AbortSignal.timeout(TIMEOUT_MS), headers: { accept: "application/json" } });
  } catch (err) {
    throw new HubUnavailableError(`${url}: ${(err as Error).message}`);
  }
  if (allowNotFound && res.status === 404) return undefined;
  if (res.status !== 200) throw new HubUnavailableError(`${url}: HTTP ${res.status}`);
  const text = await readCapped(res);
  try {
    return JSON.parse(text);
  } catch {
    throw new HubUnavailableError(`${url}: not JSON`);
  }
}

/** A hostile hub cannot make the witness read without end. */
async function readCapped(res: Response): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_RESPONSE_BYTES) {
      await reader.cancel();
      throw new HubUnavailableError(`${res.url}: response larger than ${MAX_RESPONSE_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
