// identity words a refused VAT or registry number as a sentence without naming the field: the
// console puts the sentence next to the field the sentence is about.
export type OrganisationField = "vat_number" | "registry_number" | "vat_terms_accepted" | "billing_email" | "name" | "form";

export function fieldOfProblem(detail: string): OrganisationField {
  if (/terms/i.test(detail)) return "vat_terms_accepted";
  if (/\bvat\b|tva|iva|mwst/i.test(detail)) return "vat_number";
  if (/registry|\buid\b|siret|siren|che-/i.test(detail)) return "registry_number";
  if (/e-?mail/i.test(detail)) return "billing_email";
  if (/\bname\b/i.test(detail)) return "name";
  return "form";
}
