// Types of billing's answers the Billing panel shows.
export interface MoneyView {
  amount_minor: number;
  currency: string;
}

export interface Tag {
  tag_id: string;
  name: string;
  colour: string;
}

export type ProductKind = "hosting" | "domain" | "saas" | "resale" | "marketplace_app";

export interface Subscription {
  subscription_id: string;
  product_code: string;
  product_name: string;
  kind: ProductKind;
  price: MoneyView;
  owner_organisation_id: string;
  relationship_id: string | null;
  next_renewal_on: string;
  payer_for_next_renewal_organisation_id: string;
  tags: Tag[];
  cancelled_at: string | null;
}

export interface Product {
  product_code: string;
  name: string;
  kind: ProductKind;
  period: string;
  prices: MoneyView[];
}

export interface Card {
  payment_method_id: string;
  brand: string;
  last4: string;
  exp_month: number;
  exp_year: number;
  primary: boolean;
  added_at: string;
}

export interface Invoice {
  invoice_id: string;
  number: string | null;
  status: "draft" | "issued" | "paid" | "void" | "uncollectible";
  kind: string;
  total: MoneyView;
  issued_at: string | null;
  due_on: string | null;
}

export interface HistoryEntry {
  entry_id: string;
  kind: "charge" | "refund" | "credit";
  invoice_id: string | null;
  description: string;
  amount: MoneyView;
  occurred_at: string;
}

export const PRODUCT_KINDS: ProductKind[] = ["saas", "resale", "marketplace_app", "hosting", "domain"];
export const TAG_COLOURS = ["#1d4ed8", "#0f766e", "#b45309", "#b91c1c", "#6d28d9", "#374151"];
