import { createClient, isApiError } from "@repo/client";
import { getToken } from "./session.js";

declare global {
  interface Window {
    /** Written by serve.mjs's /config.js from THESET_API_URL. */
    THESET_CONFIG?: { apiUrl?: string };
  }
}

export const apiUrl = window.THESET_CONFIG?.apiUrl ?? "http://127.0.0.1:8080";

/** The API as the page's visitor: the token is read for every request, so signing in applies at once. */
export const api = createClient({ baseUrl: apiUrl, token: getToken });

/** What to tell a person about a failed call. */
export function describeError(error: unknown): string {
  if (isApiError(error)) {
    if (error.code === "unauthorized") return `Sign-in needed or token refused: ${error.detail}`;
    if (error.code === "rate_limited") {
      return `Too many requests; try again in ${error.retryAfter ?? "a few"} seconds.`;
    }
    return error.code ? `${error.detail} (${error.code})` : `The API answered ${error.status}.`;
  }
  if (error instanceof TypeError) return "The API cannot be reached right now.";
  return error instanceof Error ? error.message : String(error);
}
