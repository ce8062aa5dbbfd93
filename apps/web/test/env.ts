// What the page's tests run against, from scripts/test-web: the API, the page's server, seeded
// fans with tokens, a scored show, and a way to kill and restart the API. Missing settings fail
// the tests; they are never skipped.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createClient, type TheSetClient } from "@repo/client";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with scripts/test-web`);
  return value;
}

export const apiUrl = required("THESET_API_URL");
export const webUrl = required("THESET_WEB_URL").replace(/\/+$/, "");
export const scoredShow = required("THESET_TEST_SCORED_SHOW");
const apiCtl = required("THESET_TEST_API_CTL");

export interface Fan {
  id: string;
  email: string;
  token: string;
}

const fans = JSON.parse(required("THESET_TEST_FANS")) as Fan[];

export function fan(index: number): Fan {
  const found = fans[index];
  if (!found) throw new Error(`no fan #${index} in THESET_TEST_FANS`);
  return found;
}

export const anonymous: TheSetClient = createClient({ baseUrl: apiUrl });

export function as(who: Fan): TheSetClient {
  return createClient({ baseUrl: apiUrl, token: who.token });
}

const run = promisify(execFile);

/** Kills the API process (SIGKILL) or starts it again on the same port (waits until ready). */
export async function apiControl(command: "stop" | "start"): Promise<void> {
  await run(apiCtl, [command], { timeout: 90_000 });
}

/** Polls `probe` until it returns something other than undefined; fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
