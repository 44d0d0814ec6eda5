/**
 * Resolves the contact of a caller (found or created by E.164 phone; a fresh one for anonymous
 * callers) and applies enrichment through the merge rules.
 */
import type { ContactStore } from '../store/store.js';
import type { Contact } from './contact.js';
import { type ContactEnrichment, mergeContact } from './contact-merge.js';

export class ContactService {
  private readonly now: () => number;

  constructor(
    private readonly contacts: ContactStore,
    now?: () => number,
  ) {
    this.now = now ?? Date.now;
  }

  /** The caller's contact: by phone when known, else a new anonymous contact. */
  async resolveCaller(orgId: string, callerPhone: string | null): Promise<Contact> {
    return callerPhone === null ? this.contacts.createAnonymous(orgId, this.now()) : this.contacts.findOrCreateByPhone(orgId, callerPhone, this.now());
  }

  /** Merge `incoming` into the contact; returns the stored contact (unchanged when nothing to do). */
  async enrich(contactId: string, incoming: ContactEnrichment): Promise<{ contact: Contact; phoneNotApplied: string | null } | null> {
    const contact = await this.contacts.get(contactId);
    if (!contact) return null;
    const { patch, phoneNotApplied } = mergeContact(contact, incoming);
    if (Object.keys(patch).length === 0) return { contact, phoneNotApplied };
    const updated = await this.contacts.update(contactId, patch, this.now());
    return updated ? { contact: updated, phoneNotApplied } : null;
  }
}
