// Who is signed in and for which organisation they act: what every page needs to name its API paths.
import { createContext, useContext } from "react";

export type Role = "legal_representative" | "administrator" | "member";

export interface Membership {
  organisation_id: string;
  name: string;
  role: Role;
}

export interface Me {
  user_id: string;
  email: string;
  display_name: string;
  locale: string;
  memberships: Membership[];
  two_factor_enabled: boolean;
}

export interface Session {
  me: Me;
  organisation: Membership;
  chooseOrganisation: (organisationId: string) => void;
  signOut: (message?: string) => void;
  refreshMe: () => Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error("useSession outside a signed-in page");
  return session;
}

/** The organisation id every page's paths start with. */
export function useOrganisationId(): string {
  return useSession().organisation.organisation_id;
}
