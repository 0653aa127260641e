/** Invitations in memory: the InvitationStore contract, each change of state conditional on the last. */
import type { Invitation } from "../../functions/domain/invitation.js";
import type { Page, PageRequest } from "../../functions/usecases/ports.js";
import type { InvitationStore, StoredInvitation } from "../../functions/usecases/people-ports.js";
import { copy, pageOf } from "./paging.js";

export class MemoryInvitationStore implements InvitationStore {
  private readonly held = new Map<string, StoredInvitation>();

  async create(stored: StoredInvitation): Promise<{ created: true } | { created: false; existing: StoredInvitation }> {
    const existing = this.held.get(stored.invitation.id);
    if (existing) return { created: false, existing: copy(existing) };
    this.held.set(stored.invitation.id, copy(stored));
    return { created: true };
  }

  async get(id: string): Promise<StoredInvitation | undefined> {
    const s = this.held.get(id);
    return s && copy(s);
  }

  async list(accountId: string | undefined, page: PageRequest): Promise<Page<Invitation>> {
    const rows = [...this.held.values()]
      .map((s) => s.invitation)
      .filter((i) => accountId === undefined || i.accountId === accountId)
      .map((i) => ({ sk: `${i.createdAt}#${i.id}`, value: i }));
    return pageOf(`invitations#${accountId ?? "*"}`, rows, page);
  }

  async accept(id: string, keyId: string, at: string): Promise<boolean> {
    const s = this.held.get(id);
    if (!s || s.invitation.status !== "pending" || !(s.invitation.expiresAt > at)) return false;
    s.invitation = { ...s.invitation, status: "accepted", acceptedAt: at, acceptedKeyId: keyId };
    return true;
  }

  async unaccept(id: string, keyId: string): Promise<void> {
    const s = this.held.get(id);
    if (!s || s.invitation.status !== "accepted" || s.invitation.acceptedKeyId !== keyId) return;
    const { acceptedAt: _at, acceptedKeyId: _key, ...rest } = s.invitation;
    s.invitation = { ...rest, status: "pending" };
  }

  async revoke(id: string, by: string, at: string): Promise<Invitation | undefined> {
    const s = this.held.get(id);
    if (s?.invitation.status === "pending") s.invitation = { ...s.invitation, status: "revoked", revokedAt: at, revokedBy: by };
    return s && copy(s.invitation);
  }

  async markEmailed(id: string, at: string): Promise<void> {
    const s = this.held.get(id);
    if (s) s.invitation = { ...s.invitation, emailedAt: at };
  }
}
