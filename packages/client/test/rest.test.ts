// The typed client against the real API: lists, the show page, entity tags, votes, problems.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiError, createClient, isApiError, type VoteType } from "@repo/client";
import { apiUrl, eventually, fan, scoredShow } from "./env.js";
import { anonymous, as, openShows } from "./fixtures.js";

describe("public reads", () => {
  it("lists trending shows, upcoming, at most `limit`", async () => {
    const shows = await anonymous.get("/v1/shows/trending", { query: { limit: 3 } });
    assert.ok(shows.length > 0 && shows.length <= 3, `got ${shows.length} shows`);
    for (const card of shows) {
      assert.equal(card.show.status, "upcoming");
      assert.match(card.show.slug, /^[a-z0-9-]+$/);
      assert.equal(card.headliner.id, card.show.headliner_artist_id);
    }
  });

  it("fetches a show page by slug and by id, the same page", async () => {
    const [card] = await anonymous.get("/v1/shows/trending", { query: { limit: 1 } });
    assert.ok(card);
    const bySlug = await anonymous.get("/v1/shows/{key}", { path: { key: card.show.slug } });
    const byId = await anonymous.get("/v1/shows/{key}", { path: { key: card.show.id } });
    assert.equal(bySlug.show.id, card.show.id);
    assert.equal(bySlug.headliner.id, card.headliner.id);
    assert.deepEqual(byId.show, bySlug.show);
    assert.ok(bySlug.setlists.length > 0, "the page lists its setlists");
    for (const { setlist, songs } of bySlug.setlists) {
      assert.equal(setlist.show_id, card.show.id);
      songs.forEach(({ entry }, i) => assert.equal(entry.position, i + 1, "songs in position order"));
    }
  });

  it("searches artists, songs and venues", async () => {
    const [card] = await anonymous.get("/v1/shows/trending", { query: { limit: 1 } });
    assert.ok(card);
    const results = await anonymous.get("/v1/search", { query: { q: card.headliner.name, limit: 5 } });
    assert.ok(
      results.artists.some((hit) => JSON.stringify(hit).includes(card.headliner.id)),
      "the headliner is found by name",
    );
    assert.ok(Array.isArray(results.songs) && Array.isArray(results.venues));
  });

  it("builds route URLs with encoded parameters", () => {
    const client = createClient({ baseUrl: `${apiUrl}/` });
    assert.equal(
      client.url("/v1/shows/{key}", { path: { key: "a b/c" }, query: { limit: 5, cursor: undefined } }),
      `${apiUrl}/v1/shows/a%20b%2Fc?limit=5`,
    );
    assert.throws(() => createClient({ baseUrl: "api.theset.example" }), TypeError);
  });
});

describe("entity tags", () => {
  it("answers 304 to If-None-Match with the current ETag of the show page", async () => {
    const [card] = await anonymous.get("/v1/shows/trending", { query: { limit: 1 } });
    assert.ok(card);
    const path = { key: card.show.slug };
    const first = await anonymous.request("get", "/v1/shows/{key}", { path });
    assert.equal(first.notModified, false);
    assert.equal(first.status, 200);
    assert.ok(first.etag, "the page carries an ETag");
    assert.equal(first.data?.show.slug, card.show.slug);

    const again = await anonymous.request("get", "/v1/shows/{key}", { path, ifNoneMatch: first.etag });
    assert.equal(again.notModified, true);
    assert.equal(again.status, 304);
    assert.equal(again.data, undefined);
    assert.equal(again.etag, first.etag);

    const stale = await anonymous.request("get", "/v1/shows/{key}", { path, ifNoneMatch: '"0-0"' });
    assert.equal(stale.notModified, false, "a tag that is not current gets the page");
    assert.equal(stale.etag, first.etag);
  });

  it("answers 304 on trending, and the tag depends on the query", async () => {
    const first = await anonymous.request("get", "/v1/shows/trending", { query: { limit: 2 } });
    assert.ok(first.etag);
    const same = await anonymous.request("get", "/v1/shows/trending", {
      query: { limit: 2 },
      ifNoneMatch: first.etag,
    });
    assert.equal(same.status, 304);
    const other = await anonymous.request("get", "/v1/shows/trending", {
      query: { limit: 1 },
      ifNoneMatch: first.etag,
    });
    assert.equal(other.status, 200, "another page of the list has another tag");
    assert.notEqual(other.etag, first.etag);
  });

  it("gives the show page a new ETag once a vote changed its counts", async () => {
    const [{ page, crowd }] = await openShows();
    const song = crowd.songs[2]?.entry;
    assert.ok(song);
    const path = { key: page.show.slug };
    const before = await anonymous.request("get", "/v1/shows/{key}", { path });
    assert.ok(before.etag);
    const voter = as(fan(2).token);
    const reply = await voter.put("/v1/setlist-songs/{id}/vote", {
      path: { id: song.id },
      body: { vote_type: "down" },
    });
    try {
      // The cached page is dropped when the API's listener reports the vote: poll, do not sleep.
      const changed = await eventually("a new ETag for the show page", async () => {
        const now = await anonymous.request("get", "/v1/shows/{key}", { path, ifNoneMatch: before.etag });
        return now.notModified ? undefined : now;
      });
      assert.notEqual(changed.etag, before.etag);
      const counted = changed.data?.setlists
        .flatMap((l) => l.songs)
        .find((s) => s.entry.id === song.id);
      assert.equal(counted?.entry.downvotes, reply.downvotes);
    } finally {
      await voter.delete("/v1/setlist-songs/{id}/vote", { path: { id: song.id } });
    }
  });
});

describe("votes", () => {
  it("casts, changes and retracts a vote; each reply has the new counts", async () => {
    const [{ crowd }] = await openShows();
    const song = crowd.songs[0]?.entry;
    assert.ok(song);
    const id = song.id;
    // A token source may be a function, asked for every request (a refreshed session).
    let asked = 0;
    const voter = createClient({
      baseUrl: apiUrl,
      token: async () => {
        asked += 1;
        return fan(0).token;
      },
    });
    const start = await voter.delete("/v1/setlist-songs/{id}/vote", { path: { id } });
    assert.equal(start.vote_type ?? null, null);

    const up = await voter.put("/v1/setlist-songs/{id}/vote", { path: { id }, body: { vote_type: "up" } });
    assert.equal(up.setlist_song_id, id);
    assert.equal(up.vote_type, "up");
    assert.equal(up.upvotes, start.upvotes + 1);
    assert.equal(up.downvotes, start.downvotes);
    assert.equal(up.net_votes, up.upvotes - up.downvotes);

    const down = await voter.put("/v1/setlist-songs/{id}/vote", {
      path: { id },
      body: { vote_type: "down" },
    });
    assert.equal(down.vote_type, "down");
    assert.equal(down.upvotes, start.upvotes);
    assert.equal(down.downvotes, start.downvotes + 1);

    const mine = await voter.get("/v1/shows/{key}/my-votes", { path: { key: crowd.setlist.show_id } });
    assert.equal(mine.find((v) => v.setlist_song_id === id)?.vote_type, "down");

    const retracted = await voter.delete("/v1/setlist-songs/{id}/vote", { path: { id } });
    assert.equal(retracted.vote_type ?? null, null);
    assert.equal(retracted.upvotes, start.upvotes);
    assert.equal(retracted.downvotes, start.downvotes);
    assert.equal(asked, 5, "the token function is asked once per request");
  });
});

describe("problems become ApiError", () => {
  it("404 not_found for a show that does not exist", async () => {
    const error = await anonymous
      .get("/v1/shows/{key}", { path: { key: "no-such-show-anywhere" } })
      .then(() => assert.fail("expected a 404"), (e: unknown) => e);
    assert.ok(error instanceof ApiError);
    assert.ok(isApiError(error, "not_found"));
    assert.ok(!isApiError(error, "unauthorized"));
    assert.equal(error.status, 404);
    assert.equal(error.code, "not_found");
    assert.equal(error.problem?.type, "https://theset.example/problems/not_found");
    assert.equal(error.problem?.status, 404);
    assert.ok(error.detail.length > 0);
    assert.ok(error.requestId, "the request id is exposed for the logs");
    assert.match(error.message, /GET .*no-such-show-anywhere answered 404 \(not_found/);
  });

  it("401 unauthorized for a vote without a token", async () => {
    const [{ crowd }] = await openShows();
    const id = crowd.songs[0]?.entry.id ?? "";
    await assert.rejects(
      anonymous.put("/v1/setlist-songs/{id}/vote", { path: { id }, body: { vote_type: "up" } }),
      (e: unknown) => isApiError(e, "unauthorized") && e.status === 401,
    );
    await assert.rejects(
      createClient({ baseUrl: apiUrl, token: "not-a-token" }).get("/v1/me"),
      (e: unknown) => isApiError(e, "unauthorized") && /token/i.test(e.detail),
    );
  });

  it("400 bad_request naming the field of a malformed body", async () => {
    const [{ crowd }] = await openShows();
    const id = crowd.songs[0]?.entry.id ?? "";
    const body = { vote_type: "sideways" as unknown as VoteType };
    await assert.rejects(
      as(fan(0).token).put("/v1/setlist-songs/{id}/vote", { path: { id }, body }),
      (e: unknown) => isApiError(e, "bad_request") && e.status === 400 && e.detail.includes("vote_type"),
    );
  });

  it("409 for a vote on a show that is over", async () => {
    const page = await anonymous.get("/v1/shows/{key}", { path: { key: scoredShow } });
    const song = page.setlists.flatMap((l) => l.songs)[0]?.entry;
    assert.ok(song, "the scored show has songs");
    const error = await as(fan(0).token)
      .put("/v1/setlist-songs/{id}/vote", { path: { id: song.id }, body: { vote_type: "up" } })
      .then(() => assert.fail("expected a 409"), (e: unknown) => e);
    assert.ok(isApiError(error, "voting_closed", "show_started"), String(error));
    assert.equal(error.status, 409);
  });
});
