import type { components } from "./generated/openapi.js";

/** The body of every error reply (`application/problem+json`, RFC 9457, with a stable `code`). */
export type Problem = components["schemas"]["Problem"];
/** What kind of problem a reply reports: branch on this, never on `detail`. */
export type ProblemCode = components["schemas"]["Code"];

export interface ApiErrorInit {
  status: number;
  method: string;
  url: string;
  problem: Problem | null;
  /** The body as text when it was not a problem document (a proxy's error page). */
  body?: string;
  retryAfter?: number | null;
  requestId?: string | null;
}

/**
 * A reply with an error status. `code` is the problem's stable code, or null when the body was
 * not a problem document (an error page of a proxy in front of the API, for instance).
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly status: number;
  readonly code: ProblemCode | null;
  readonly problem: Problem | null;
  /** For people; may be reworded between releases. */
  readonly detail: string;
  /** Seconds to wait before trying again (`Retry-After` of 429 and 503 replies), when given. */
  readonly retryAfter: number | null;
  /** The API's `x-request-id`, for finding the request in its logs. */
  readonly requestId: string | null;
  readonly method: string;
  readonly url: string;

  constructor(init: ApiErrorInit) {
    const detail = init.problem?.detail ?? init.body?.slice(0, 200) ?? "";
    const what = init.problem ? `${init.problem.code}: ${detail}` : detail || "no problem body";
    super(`${init.method} ${init.url} answered ${init.status} (${what})`);
    this.status = init.status;
    this.code = init.problem?.code ?? null;
    this.problem = init.problem;
    this.detail = detail;
    this.retryAfter = init.retryAfter ?? null;
    this.requestId = init.requestId ?? null;
    this.method = init.method;
    this.url = init.url;
  }

  /** Reads an error reply's body (consuming it) into an `ApiError`. */
  static async fromResponse(response: Response, method: string, url: string): Promise<ApiError> {
    const text = await response.text().catch(() => "");
    return new ApiError({
      status: response.status,
      method,
      url,
      problem: parseProblem(text, response.headers.get("content-type")),
      body: text,
      retryAfter: parseRetryAfter(response.headers.get("retry-after")),
      requestId: response.headers.get("x-request-id"),
    });
  }
}

/**
 * True when `error` is an `ApiError`, and, when codes are given, one with one of them:
 * `if (isApiError(e, "voting_closed", "show_started")) ...` (then `e.code` is one of those).
 */
export function isApiError(error: unknown): error is ApiError;
export function isApiError<C extends ProblemCode>(
  error: unknown,
  ...codes: [C, ...C[]]
): error is ApiError & { readonly code: C };
export function isApiError(error: unknown, ...codes: ProblemCode[]): boolean {
  if (!(error instanceof ApiError)) return false;
  return codes.length === 0 || (error.code !== null && codes.includes(error.code));
}

/** A problem document, or null when the body is something else. */
export function parseProblem(text: string, contentType: string | null): Problem | null {
  // The API always answers errors as application/problem+json; accept any JSON that has the
  // problem's shape, since a proxy may rewrite the media type.
  if (!text || (contentType !== null && !/json/i.test(contentType))) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.code !== "string" || typeof v.status !== "number") return null;
  return {
    type: typeof v.type === "string" ? v.type : "about:blank",
    title: typeof v.title === "string" ? v.title : "",
    status: v.status,
    detail: typeof v.detail === "string" ? v.detail : "",
    // Not checked against the known codes: a newer API may add one before the types are
    // regenerated, and the raw value is more useful than none.
    code: v.code as ProblemCode,
  };
}

/** `Retry-After` as seconds: delta-seconds, or an HTTP date. */
export function parseRetryAfter(value: string | null): number | null {
  if (value === null || value.trim() === "") return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}
