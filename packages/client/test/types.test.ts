// The client's types, checked by the compiler when the tests are built: each @ts-expect-error
// line must be an error, or the build of the tests fails. Running the file checks the few
// runtime facts beside them.
import assert from "node:assert/strict";
import { it } from "node:test";
import {
  createClient,
  isApiError,
  type ApiError,
  type ResponseData,
  type Operation,
  type ShowDetails,
  type ShowCard,
  type TheSetClient,
  type VoteReply,
} from "@repo/client";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(_: T): void {}

expectType<Equal<ResponseData<Operation<"/v1/shows/{key}", "get">>, ShowDetails>>(true);
expectType<Equal<ResponseData<Operation<"/v1/shows/trending", "get">>, ShowCard[]>>(true);
expectType<Equal<ResponseData<Operation<"/v1/setlist-songs/{id}/vote", "put">>, VoteReply>>(true);
// 204 No Content: nothing to read.
expectType<Equal<ResponseData<Operation<"/v1/setlists/{id}", "delete">>, undefined>>(true);

// Never called: only compiled.
async function misuse(api: TheSetClient): Promise<void> {
  // @ts-expect-error the show page needs its key
  await api.get("/v1/shows/{key}");
  // @ts-expect-error no such route
  await api.get("/v1/nope");
  // @ts-expect-error the route has no PUT
  await api.put("/v1/shows/trending", {});
  // @ts-expect-error a vote needs a body
  await api.put("/v1/setlist-songs/{id}/vote", { path: { id: "x" } });
  // @ts-expect-error search needs q
  await api.get("/v1/search", { query: { limit: 3 } });
  // @ts-expect-error trending's limit is a number
  await api.get("/v1/shows/trending", { query: { limit: "3" } });
  // @ts-expect-error only routes with entity tags take ifNoneMatch
  await api.request("get", "/v1/me", { ifNoneMatch: '"1-2"' });
  const reply = await api.request("get", "/v1/shows/{key}", { path: { key: "k" }, ifNoneMatch: null });
  if (reply.notModified) {
    expectType<Equal<typeof reply.data, undefined>>(true);
  } else {
    expectType<Equal<typeof reply.data, ShowDetails>>(true);
  }
  // Routes that never answer 304 have no notModified case.
  const me = await api.request("get", "/v1/me");
  expectType<Equal<typeof me.notModified, false>>(true);
}

it("narrows errors by code", () => {
  const error: unknown = new Error("not an API error");
  assert.equal(isApiError(error), false);
  if (isApiError(error, "voting_closed", "show_started")) {
    expectType<Equal<typeof error.code, "voting_closed" | "show_started">>(true);
  }
  const narrowed = (e: ApiError) => (isApiError(e, "not_found") ? e.code : e.code);
  assert.equal(typeof narrowed, "function");
  assert.equal(typeof misuse, "function");
  assert.equal(typeof createClient, "function");
});
