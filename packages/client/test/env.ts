// What the tests run against, from the environment scripts/test-web sets up: a real API over a
// freshly seeded database. A missing setting fails the tests (they are never skipped).

export interface Fan {
  id: string;
  email: string;
  /** A development token (dev_token) for this seeded user. */
  token: string;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the tests with scripts/test-web`);
  }
  return value;
}

/** The API's base URL, e.g. http://127.0.0.1:18080. */
export const apiUrl = required("THESET_API_URL");

/** Seeded fans (role `user`), each with a token: at least three. */
export const fans: Fan[] = JSON.parse(required("THESET_TEST_FANS")) as Fan[];
if (!Array.isArray(fans) || fans.length < 3) {
  throw new Error("THESET_TEST_FANS must list at least three fans");
}

export function fan(index: number): Fan {
  const found = fans[index];
  if (!found) throw new Error(`no fan #${index} in THESET_TEST_FANS`);
  return found;
}

/** The slug of a completed show whose predictions are scored (final). */
export const scoredShow = required("THESET_TEST_SCORED_SHOW");

/** Waits until `probe` returns a value other than undefined, polling; fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
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
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
