/**
 * The person's key, kept in this browser's IndexedDB. The private key is a non-extractable
 * CryptoKey: IndexedDB stores the handle, and no script (this one included) can read its bytes.
 */
import type { PublicJwk } from "./signer.js";

export interface Person {
  name: string;
  email: string;
  role: string;
}

export interface Identity {
  keyId: string;
  privateKey: CryptoKey;
  publicJwk: PublicJwk;
  accountId: string;
  accountName?: string;
  accountKind?: "consortium" | "provider" | "initiator";
  person?: Person;
  label?: string;
  enrolledAt: string;
}

const DB_NAME = "hoptrace-console";
const STORE = "identity";
const CURRENT = "current";

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run<T>(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = action(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

export async function loadIdentity(): Promise<Identity | undefined> {
  return (await run("readonly", (s) => s.get(CURRENT))) as Identity | undefined;
}

export async function saveIdentity(identity: Identity): Promise<void> {
  await run("readwrite", (s) => s.put(identity, CURRENT));
}

export async function forgetIdentity(): Promise<void> {
  await run("readwrite", (s) => s.delete(CURRENT));
}
