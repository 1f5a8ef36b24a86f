// Every call goes to the console's own origin (/api/<service>/v1/...), which forwards it to the
// service: the browser never needs CORS, and the token is the signed-in user's own.
import { type Locale } from "../i18n";

export type Service = "identity" | "partnership" | "billing" | "wallet" | "notify";

/** A problem+json answer (RFC 9457) as the services send it, plus the HTTP status. */
export interface Problem {
  status: number;
  title: string;
  detail: string;
  [extra: string]: unknown;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title);
  }
  get status(): number {
    return this.problem.status;
  }
}

const TOKEN_KEY = "tessera.console.token";
let onUnauthenticated: (() => void) | null = null;

/** Called when a signed-in request answers 401: the access token expired or was revoked. */
export function whenUnauthenticated(handler: () => void): void {
  onUnauthenticated = handler;
}

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

/** The problem in a failed response, or one made up from its status when the body is not problem+json. */
export async function problemOf(response: Response): Promise<Problem> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as Partial<Problem> & { detail?: unknown };
    const detail = typeof body.detail === "string" ? body.detail : Array.isArray(body.detail) ? validationDetail(body.detail) : "";
    return { ...body, status: response.status, title: body.title ?? response.statusText, detail } as Problem;
  } catch {
    return { status: response.status, title: response.statusText || "Error", detail: text.slice(0, 300) };
  }
}

function validationDetail(items: unknown[]): string {
  return items
    .map((item) => {
      const entry = item as { loc?: unknown[]; msg?: string };
      return `${(entry.loc ?? []).join(".")}: ${entry.msg ?? ""}`;
    })
    .join("; ");
}

/** Whether a 401 means the access token itself is no longer good (expired, revoked), rather than a
 * re-entered password or a code being wrong: ask identity who the token belongs to. */
async function sessionEnded(token: string): Promise<boolean> {
  try {
    const response = await fetch(apiUrl("identity", "/v1/me"), { headers: { authorization: `Bearer ${token}` } });
    return response.status === 401;
  } catch {
    return false;
  }
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  query?: Record<string, string | number | boolean | string[] | undefined | null>;
  token?: string | null;
  raw?: boolean;
}

export function apiUrl(service: Service, path: string, query?: CallOptions["query"]): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === "") continue;
    for (const one of Array.isArray(value) ? value : [value]) params.append(key, String(one));
  }
  const search = params.toString();
  return `/api/${service}${path}${search ? `?${search}` : ""}`;
}

/** Call a service; resolves to the JSON body (undefined for 204), rejects with an ApiError. */
export async function call<T>(service: Service, path: string, options: CallOptions = {}): Promise<T> {
  const token = options.token === undefined ? storedToken() : options.token;
  const headers: Record<string, string> = { accept: "application/json, application/problem+json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(apiUrl(service, path, options.query), {
      method: options.method ?? "GET",
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch (error) {
    throw new ApiError({ status: 0, title: "Network error", detail: String(error) });
  }
  if (!response.ok) {
    const problem = await problemOf(response);
    if (response.status === 401 && token && onUnauthenticated && (await sessionEnded(token))) onUnauthenticated();
    throw new ApiError(problem);
  }
  if (options.raw) return response as unknown as T;
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Accept-Language for calls whose answer is worded by the service. */
export function languageHeader(locale: Locale): string {
  return locale;
}
