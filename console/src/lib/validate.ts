// Form checks done before a request, so a person sees the mistake next to the field at once. The
// services check everything again: these only mirror their documented limits.

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_LEAD_DAYS = 62; // "up to two months" before the renewal

/** Minor units from what a person typed ("25", "25.5", "25,50", "1'000.00"), or null if it is not an amount. */
export function parseAmount(text: string, minorPerMajor = 100): number | null {
  const cleaned = text.trim().replace(/[\s'’_]/g, "");
  const match = /^(\d+)(?:[.,](\d+))?$/.exec(cleaned);
  if (!match) return null;
  const digits = Math.round(Math.log10(minorPerMajor));
  const fraction = match[2] ?? "";
  if (fraction.length > digits) return null;
  const minor = Number(match[1]) * minorPerMajor + Number(fraction.padEnd(digits, "0") || "0");
  return Number.isSafeInteger(minor) ? minor : null;
}

export function isEmail(text: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text.trim());
}

/** A TOTP code is six digits; a backup code is longer (letters and digits, maybe dashes). */
export function secondFactorKind(code: string): "totp" | "backup" | null {
  const cleaned = code.trim();
  if (/^\d{6}$/.test(cleaned)) return "totp";
  if (/^[A-Za-z0-9-]{8,32}$/.test(cleaned)) return "backup";
  return null;
}

/** Days before a renewal to send reminders: whole, distinct, between 1 and two months, sorted. */
export function parseLeadDays(text: string): number[] | null {
  const parts = text.split(/[,;\s]+/).filter(Boolean);
  const days = parts.map(Number);
  if (days.some((day) => !Number.isInteger(day) || day < 1 || day > MAX_LEAD_DAYS)) return null;
  return [...new Set(days)].sort((a, b) => b - a);
}

/** The end of a validity chosen as a number of days from ``now``, or null for unlimited. */
export function validityEnd(days: number | null, now: Date): string | null {
  if (days === null) return null;
  return new Date(now.getTime() + days * 86_400_000).toISOString();
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(text: string): boolean {
  return UUID_PATTERN.test(text.trim());
}

/** Rows of a CSV file, quoted where needed (RFC 4180). */
export function toCsv(rows: (string | number)[][]): string {
  const cell = (value: string | number) => {
    const text = String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return rows.map((row) => row.map(cell).join(",")).join("\r\n") + "\r\n";
}
