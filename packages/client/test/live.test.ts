// The live streams against the real API: a vote seen on the show's and the song's stream,
// resuming with Last-Event-ID, and a stream of a show that does not exist.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import {
  ApiError,
  subscribeToShow,
  subscribeToSong,
  type ShowEvent,
  type SongEvent,
  type StreamStatus,
  type Subscription,
} from "@repo/client";
import { apiUrl, eventually, fan } from "./env.js";
import { as, openShows } from "./fixtures.js";

const open: Array<Subscription<unknown>> = [];
after(() => {
  for (const subscription of open) subscription.close();
});

describe("show stream", () => {
  it("starts with a snapshot and shows a vote's new counts, as the vote reply does", async () => {
    const [{ page, crowd }] = await openShows();
    const song = crowd.songs[1]?.entry;
    assert.ok(song);
    const voter = as(fan(1).token);
    await voter.delete("/v1/setlist-songs/{id}/vote", { path: { id: song.id } });

    const events: ShowEvent[] = [];
    const statuses: StreamStatus[] = [];
    const live = subscribeToShow(page.show.slug, {
      baseUrl: apiUrl,
      transport: "fetch",
      onEvent: (e) => events.push(e),
      onStatus: (s) => statuses.push(s),
    });
    open.push(live);
    assert.equal(live.status, "connecting");
    const state = await eventually("the snapshot", () => live.store.state ?? undefined);
    assert.equal(events[0]?.type, "snapshot");
    assert.ok(events[0]?.id, "events carry an id to resume from");
    assert.equal(state.show.id, page.show.id);
    assert.equal(state.show.slug, page.show.slug);
    assert.deepEqual(statuses, ["open"], "onStatus tells of changes");
    assert.equal(live.status, "open");
    const before = live.store.counts(song.id);
    assert.ok(before, "the snapshot has the song's counts");
    assert.ok(state.setlists.some((l) => l.id === crowd.setlist.id));

    const up = await voter.put("/v1/setlist-songs/{id}/vote", { path: { id: song.id }, body: { vote_type: "up" } });
    assert.equal(up.upvotes, before.upvotes + 1);
    const seen = await eventually("the vote on the show stream", () => {
      const now = live.store.counts(song.id);
      return now && now.version > before.version && now.upvotes === up.upvotes ? now : undefined;
    });
    assert.equal(seen.net_votes, up.net_votes);
    assert.equal(seen.downvotes, up.downvotes);
    assert.equal(live.store.song(song.id)?.upvotes, up.upvotes, "the state's song entry agrees");
    const votes = events.find((e) => e.type === "votes");
    assert.ok(votes && votes.type === "votes" && votes.data.songs.some((s) => s.id === song.id));

    const retracted = await voter.delete("/v1/setlist-songs/{id}/vote", { path: { id: song.id } });
    await eventually("the retraction on the show stream", () => {
      const now = live.store.counts(song.id);
      return now && now.version > seen.version && now.upvotes === retracted.upvotes ? now : undefined;
    });
    assert.equal(live.store.counts(song.id)?.upvotes, before.upvotes);
    live.close();
    assert.equal(live.status, "closed");
  });

  it("resumes with Last-Event-ID: the missed vote arrives without a new snapshot", async () => {
    const [{ page, crowd }] = await openShows();
    const song = crowd.songs[2]?.entry;
    assert.ok(song);
    const voter = as(fan(1).token);
    await voter.delete("/v1/setlist-songs/{id}/vote", { path: { id: song.id } });

    const first = subscribeToShow(page.show.slug, { baseUrl: apiUrl, transport: "fetch" });
    open.push(first);
    await eventually("the snapshot", () => first.store.state ?? undefined);
    const held = first.store.counts(song.id);
    assert.ok(held);
    const lastEventId = first.lastEventId;
    assert.ok(lastEventId);
    first.close();

    const up = await voter.put("/v1/setlist-songs/{id}/vote", { path: { id: song.id }, body: { vote_type: "up" } });
    try {
      const events: ShowEvent[] = [];
      // The same store: a resumed stream sends what changed, not the state again.
      const resumed = subscribeToShow(page.show.slug, {
        baseUrl: apiUrl,
        transport: "fetch",
        store: first.store,
        lastEventId,
        onEvent: (e) => events.push(e),
      });
      open.push(resumed);
      const now = await eventually("the missed vote", () => {
        const counts = resumed.store.counts(song.id);
        return counts && counts.upvotes === up.upvotes && counts.version > held.version ? counts : undefined;
      });
      assert.equal(now.net_votes, up.net_votes);
      assert.notEqual(events[0]?.type, "snapshot", `resumed with ${events.map((e) => e.type).join(", ")}`);
      resumed.close();
    } finally {
      await voter.delete("/v1/setlist-songs/{id}/vote", { path: { id: song.id } });
    }
  });

  it("stops with a typed 404 for a show that does not exist", async () => {
    const errors: Array<{ error: unknown; willRetry: boolean }> = [];
    const live = subscribeToShow("no-such-show-anywhere", {
      baseUrl: apiUrl,
      transport: "fetch",
      onError: (error, willRetry) => errors.push({ error, willRetry }),
    });
    open.push(live);
    await eventually("the stream to stop", () => (live.status === "closed" ? true : undefined));
    assert.equal(errors.length, 1);
    const [{ error, willRetry }] = errors as [{ error: unknown; willRetry: boolean }];
    assert.equal(willRetry, false);
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 404);
    assert.equal(error.code, "not_found");
    assert.equal(live.store.state, null);
  });
});

describe("song stream", () => {
  it("starts with the song's counts and follows its votes", async () => {
    const [{ crowd }] = await openShows();
    const song = crowd.songs[0]?.entry;
    assert.ok(song);
    const voter = as(fan(2).token);
    await voter.delete("/v1/setlist-songs/{id}/vote", { path: { id: song.id } });

    const events: SongEvent[] = [];
    const live = subscribeToSong(song.id, {
      baseUrl: apiUrl,
      transport: "fetch",
      onEvent: (e) => events.push(e),
    });
    open.push(live);
    const start = await eventually("the song's snapshot", () => live.store.state ?? undefined);
    assert.equal(events[0]?.type, "snapshot");
    assert.equal(start.setlist_song_id, song.id);
    assert.equal(start.setlist_id, crowd.setlist.id);
    assert.equal(start.show_id, crowd.setlist.show_id);

    try {
      const down = await voter.put("/v1/setlist-songs/{id}/vote", {
        path: { id: song.id },
        body: { vote_type: "down" },
      });
      const seen = await eventually("the vote on the song stream", () => {
        const now = live.store.state;
        return now && now.version > start.version && now.downvotes === down.downvotes ? now : undefined;
      });
      assert.equal(seen.upvotes, down.upvotes);
      assert.equal(seen.net_votes, down.net_votes);
      assert.ok(events.some((e) => e.type === "votes"));
    } finally {
      await voter.delete("/v1/setlist-songs/{id}/vote", { path: { id: song.id } });
      live.close();
    }
  });
});
