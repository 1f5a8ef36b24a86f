// Types of partnership's answers the pages use, and the partner names a client can see.
import { call } from "./api";

export type BillingMode = "client_pays" | "partner_pays";
export type Access = "full" | "restricted";
export type RelationshipStatus = "proposed" | "active" | "declined" | "withdrawn" | "expired" | "ended";

export interface BillingModeChange {
  previous_mode: BillingMode;
  billing_mode: BillingMode;
  effective_at: string;
  changed_by_user_id: string;
  changed_at: string;
}

export interface Relationship {
  relationship_id: string;
  partner_organisation_id: string;
  client_organisation_id: string;
  status: RelationshipStatus;
  access: Access;
  product_codes: string[];
  access_ends_at: string | null;
  billing_mode: BillingMode;
  proposed_by: string | null;
  proposal_expires_at: string | null;
  started_at: string | null;
  ended_at: string | null;
  staff_user_ids: string[];
  billing_mode_history: BillingModeChange[];
}

export interface Listing {
  organisation_id: string;
  name: string;
  website_url: string;
  country: string;
  languages: string[];
  specialties: string[];
  description: string;
  accepts_offer_requests: boolean;
}

/** Names of the partners listed in the public directory, by organisation id. */
export async function directoryNames(): Promise<Map<string, string>> {
  const listings = await call<Listing[]>("partnership", "/v1/directory", { query: { limit: 100 } }).catch(() => []);
  return new Map(listings.map((listing) => [listing.organisation_id, listing.name]));
}

/** A partner's name if it is listed, else a short form of its id. */
export function partnerName(names: Map<string, string> | undefined, organisationId: string): string {
  return names?.get(organisationId) ?? organisationId.slice(0, 8);
}

/** The midnight UTC of a chosen day (an <input type="date"> value), or null for "now". */
export function effectiveAt(day: string): string | null {
  return day ? `${day}T00:00:00Z` : null;
}
