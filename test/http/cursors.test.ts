/**
 * Every paged listing refuses any cursor the hub did not issue for it with 400 invalid_cursor:
 * forged key shapes, edited cursors, empty key values, and genuine cursors of other listings,
 * other callers and other filters. None of them may reach DynamoDB and come back as a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeHub, type Party, type FakeHub } from "../fakes/hub.js";
import { populate, type World } from "../support/world.js";
import { PROBLEM } from "./raw.js";

let t: FakeHub;
let w: World;

interface Listing {
  name: string;
  party: () => Party;
  path: () => string;
  /** The same listing as another caller would ask for it; its own cursor must not work for them. */
  other?: { party: () => Party; path: () => string };
}

const LISTINGS: Listing[] = [
  { name: "providers", party: () => t.consortium, path: () => "/v1/providers" },
  { name: "initiators", party: () => t.consortium, path: () => "/v1/initiators" },
  {
    name: "keys",
    party: () => t.consortium,
    path: () => `/v1/accounts/${w.providerA.id}/keys`,
    other: { party: () => w.providerA, path: () => `/v1/accounts/${w.providerA.id}/keys` },
  },
  { name: "own tracebacks", party: () => w.initiatorA, path: () => "/v1/tracebacks", other: { party: () => w.initiatorB, path: () => "/v1/tracebacks" } },
  { name: "all tracebacks", party: () => t.consortium, path: () => "/v1/tracebacks" },
  {
    name: "one initiator's tracebacks",
    party: () => t.consortium,
    path: () => `/v1/tracebacks?initiatorId=${w.initiatorA.id}`,
    other: { party: () => t.consortium, path: () => `/v1/tracebacks?initiatorId=${w.initiatorB.id}` },
  },
  { name: "trust anchors", party: () => t.consortium, path: () => "/v1/trust-anchors" },
  {
    name: "findings",
    party: () => t.consortium,
    path: () => `/v1/providers/${w.providerA.id}/findings`,
    other: { party: () => w.providerA, path: () => `/v1/providers/${w.providerA.id}/findings` },
  },
  { name: "open hop requests", party: () => w.providerA, path: () => "/v1/hop-requests", other: { party: () => w.providerB, path: () => "/v1/hop-requests" } },
  {
    name: "all hop requests",
    party: () => w.providerA,
    path: () => "/v1/hop-requests?status=all",
    other: { party: () => w.providerA, path: () => "/v1/hop-requests?status=open" },
  },
  {
    name: "webhook endpoints",
    party: () => w.providerA,
    path: () => "/v1/webhook-endpoints",
    other: { party: () => w.providerB, path: () => "/v1/webhook-endpoints" },
  },
  {
    name: "deliveries",
    party: () => w.providerA,
    path: () => `/v1/webhook-endpoints/${w.endpointIds[0]}/deliveries`,
    other: { party: () => t.consortium, path: () => `/v1/webhook-endpoints/${w.endpointIds[0]}/deliveries` },
  },
  {
    name: "events",
    party: () => w.providerA,
    path: () => "/v1/events",
    other: { party: () => t.consortium, path: () => `/v1/events?recipientId=${w.providerA.id}` },
  },
  {
    name: "events since",
    party: () => w.providerA,
    path: () => `/v1/events?since=${w.since}`,
    other: { party: () => w.providerA, path: () => "/v1/events?since=2099-01-01T00:00:00Z" },
  },
];

const firstPage = (path: string) => `${path}${path.includes("?") ? "&" : "?"}limit=1`;
const withCursor = (path: string, cursor: string, limit = 1) => `${path}${path.includes("?") ? "&" : "?"}limit=${limit}&cursor=${encodeURIComponent(cursor)}`;
const b64 = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

/** Raw start keys of the shape each index has, pointing anywhere: what a forger would send. */
function forgedKeys(): unknown[] {
  const a = w.providerA.id;
  return [
    { gsi1pk: "ACCOUNTS#provider", gsi1sk: "x" },
    { gsi1pk: "ACCOUNTS#provider", gsi1sk: "x", pk: "ACCOUNT#x", sk: "ACCOUNT" },
    { gsi1pk: "ACCOUNTS#provider", gsi1sk: "", pk: "", sk: "" },
    { gsi1pk: "", gsi1sk: "" },
    { gsi1pk: `HOPS#${a}`, gsi1sk: "", pk: "TRACEBACK#x", sk: "HOP#001" },
    { gsi2pk: `OPEN#${a}`, gsi2sk: "2024", pk: "TRACEBACK#x", sk: "HOP#001", extra: "x" },
    { gsi1pk: `EVENTS#${a}`, gsi1sk: "0", pk: "EVENT#x", sk: "EVENT" },
    { gsi1pk: `KEYS#${a}`, gsi1sk: "x", pk: "KEY#x", sk: "KEY" },
    { pk: { S: "x" }, sk: { S: "y" } },
    {},
    [],
    null,
  ];
}

function expectInvalidCursor(res: { status: number; headers: Headers; body: any }, what: string): void {
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(400);
  expect(res.headers.get("content-type")).toBe(PROBLEM);
  expect(res.body.code).toBe("invalid_cursor");
  expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(["/cursor"]);
}

const cursors = new Map<string, string>();

beforeAll(async () => {
  t = await startFakeHub({ env: { LOG_LEVEL: "ERROR" } });
  w = await populate(t);
  for (const l of LISTINGS) {
    const first = await l.party().api.get(firstPage(l.path()));
    expect(first.status, `${l.name}: ${first.text}`).toBe(200);
    expect(first.body.nextCursor, `${l.name} has a second page`).toBeTruthy();
    cursors.set(l.name, first.body.nextCursor);
  }
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

describe.each(LISTINGS)("the $name listing", (l) => {
  it("continues with its own cursor, whatever the page size", async () => {
    const first = await l.party().api.get(firstPage(l.path()));
    const next = await l.party().api.get(withCursor(l.path(), cursors.get(l.name)!));
    expect(next.status).toBe(200);
    expect(next.body.items).toHaveLength(1);
    expect(next.body.items[0]).not.toEqual(first.body.items[0]);
    expect((await l.party().api.get(withCursor(l.path(), cursors.get(l.name)!, 50))).status).toBe(200);
  });

  it("refuses forged start keys, with or without a made-up seal", async () => {
    for (const key of forgedKeys()) {
      const raw = b64(key);
      expectInvalidCursor(await l.party().api.get(withCursor(l.path(), raw)), `${l.name} ${JSON.stringify(key)}`);
      expectInvalidCursor(await l.party().api.get(withCursor(l.path(), `${raw}.${"A".repeat(43)}`)), `${l.name} sealed ${JSON.stringify(key)}`);
    }
    for (const garbage of ["x", ".", "..", "%%%", "\u00e9t\u00e9", "A".repeat(2000), `.${"A".repeat(43)}`]) {
      expectInvalidCursor(await l.party().api.get(withCursor(l.path(), garbage)), `${l.name} ${garbage.slice(0, 20)}`);
    }
  });

  it("refuses its own cursor edited anywhere, or with its key re-encoded", async () => {
    const cursor = cursors.get(l.name)!;
    const dot = cursor.lastIndexOf(".");
    const inner = cursor.slice(0, dot);
    const key = JSON.parse(Buffer.from(inner, "base64url").toString());
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
    const edits = [
      flip(cursor, 0),
      flip(cursor, Math.floor(dot / 2)),
      flip(cursor, dot - 1),
      flip(cursor, dot + 1),
      flip(cursor, cursor.length - 1),
      cursor.slice(0, -1),
      `${cursor}A`,
      inner,
      `${b64({ ...key, extra: "x" })}${cursor.slice(dot)}`,
      `${b64(Object.fromEntries(Object.keys(key).map((k) => [k, ""])))}${cursor.slice(dot)}`,
      `${b64(Object.fromEntries(Object.entries(key).slice(1)))}${cursor.slice(dot)}`,
    ];
    for (const edited of edits) expectInvalidCursor(await l.party().api.get(withCursor(l.path(), edited)), `${l.name} edited ${edited}`);
  });

  it("refuses every other listing's cursor, and its own for another caller or filter", async () => {
    for (const other of LISTINGS) {
      if (other.name === l.name) continue;
      expectInvalidCursor(await l.party().api.get(withCursor(l.path(), cursors.get(other.name)!)), `${other.name} cursor on ${l.name}`);
    }
    if (l.other) expectInvalidCursor(await l.other.party().api.get(withCursor(l.other.path(), cursors.get(l.name)!)), `${l.name} cursor elsewhere`);
  });
});
