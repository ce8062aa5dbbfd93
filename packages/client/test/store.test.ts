// How a ShowStore folds events: the highest version of each song's counts wins.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ShowStore, SongStore, type SetlistState, type ShowState, type SongEntry } from "@repo/client";

function song(id: string, position: number, version = 0, upvotes = 0): SongEntry {
  return {
    id,
    song_id: `catalog-${id}`,
    title: `Song ${id}`,
    position,
    encore: 0,
    is_tape: false,
    notes: null,
    is_played: null,
    play_time: null,
    upvotes,
    downvotes: 0,
    net_votes: upvotes,
    version,
  };
}

function setlist(id: string, songs: SongEntry[]): SetlistState {
  return { id, type: "predicted", name: "Main Set", order_index: 0, is_locked: false, songs };
}

function state(setlists: SetlistState[]): ShowState {
  return {
    show: { id: "show", slug: "show", name: "Show", status: "upcoming", starts_at: "2030-01-01T20:00:00Z" },
    setlists,
    scores: { is_final: false, scored_at: null, fans: 0, bot: null, crowd: null, leaders: [] },
  };
}

const counts = (id: string, version: number, upvotes: number) => ({
  id,
  upvotes,
  downvotes: 0,
  net_votes: upvotes,
  version,
});

describe("ShowStore", () => {
  it("keeps the counts with the highest version, whatever order events come in", () => {
    const store = new ShowStore();
    let notified = 0;
    store.subscribe(() => notified++);
    assert.equal(store.apply({ type: "votes", id: "0", data: { songs: [counts("a", 1, 1)] } }), false);
    assert.equal(store.state === null, true, "nothing before the snapshot");

    store.apply({ type: "snapshot", id: "1", data: state([setlist("l", [song("a", 1, 2, 5), song("b", 2)])]) });
    const first = store.state;
    assert.equal(store.counts("a")?.upvotes, 5);
    assert.equal(store.apply({ type: "votes", id: "2", data: { songs: [counts("a", 1, 9)] } }), false);
    assert.equal(store.state, first, "an older version changes nothing, not even the object");
    assert.equal(store.apply({ type: "votes", id: "3", data: { songs: [counts("a", 4, 7)] } }), true);
    assert.equal(store.song("a")?.upvotes, 7);
    assert.equal(store.state?.setlists[0]?.songs[1], first?.setlists[0]?.songs[1], "untouched songs are kept");
    // A resync (another process, a lagging reader) never takes counts back.
    store.apply({ type: "resync", id: "4", data: { ...state([setlist("l", [song("a", 1, 3, 6), song("b", 2)])]), reason: "expired" } });
    assert.equal(store.song("a")?.upvotes, 7);
    assert.equal(store.counts("a")?.version, 4);
    assert.equal(notified, 3);
  });

  it("replaces a setlist, adds a new one, removes one, and takes header and scores", () => {
    const store = new ShowStore();
    store.apply({ type: "snapshot", id: "1", data: state([setlist("l", [song("a", 1, 5, 3)])]) });
    const changes = { created: false, added: ["c"], removed: [], reordered: false, played: [], noted: [], marked: [], locked: null, renamed: false };
    // The setlist event's own counts for "a" are older than held: the held ones stay.
    store.apply({ type: "setlist", id: "2", data: { show_id: "show", setlist: setlist("l", [song("a", 1, 4, 1), song("c", 2)]), changes } });
    assert.deepEqual(store.state?.setlists[0]?.songs.map((s) => [s.id, s.upvotes]), [["a", 3], ["c", 0]]);
    store.apply({ type: "setlist", id: "3", data: { show_id: "show", setlist: { ...setlist("m", [song("d", 1)]), type: "actual" }, changes: { ...changes, created: true } } });
    assert.deepEqual(store.state?.setlists.map((l) => l.id), ["l", "m"]);
    store.apply({ type: "setlist_removed", id: "4", data: { show_id: "show", setlist_id: "l" } });
    assert.deepEqual(store.state?.setlists.map((l) => l.id), ["m"]);
    assert.equal(store.counts("a"), undefined);
    store.apply({ type: "show", id: "5", data: { id: "show", slug: "show", name: "Show", status: "ongoing", starts_at: "2030-01-01T20:00:00Z" } });
    assert.equal(store.state?.show.status, "ongoing");
    const scores = { is_final: true, scored_at: "2030-01-01T23:00:00Z", fans: 2, bot: 40, crowd: 55.5, leaders: [{ user_id: "u", display_name: null, score: 80 }] };
    store.apply({ type: "scored", id: "6", data: { show_id: "show", scores } });
    assert.deepEqual(store.state?.scores, scores);
    store.apply({ type: "removed", id: "7", data: { show_id: "show" } });
    assert.equal(store.removed, true);
  });

  it("shows a vote reply's counts until the stream's newer version arrives", () => {
    const store = new ShowStore();
    store.apply({ type: "snapshot", id: "1", data: state([setlist("l", [song("a", 1, 5, 3)])]) });
    assert.equal(store.applyVoteReply({ setlist_song_id: "a", upvotes: 4, downvotes: 0, net_votes: 4, vote_type: "up" }), true);
    assert.equal(store.song("a")?.upvotes, 4);
    assert.equal(store.counts("a")?.version, 5, "the held version, since the reply has none");
    store.apply({ type: "votes", id: "2", data: { songs: [counts("a", 6, 4)] } });
    assert.deepEqual(store.counts("a"), { upvotes: 4, downvotes: 0, net_votes: 4, version: 6 });
    assert.equal(store.applyVoteReply({ setlist_song_id: "zz", upvotes: 1, downvotes: 0, net_votes: 1 }), false);
  });
});

describe("SongStore", () => {
  it("keeps the newest counts and notes removal", () => {
    const store = new SongStore();
    const votes = (version: number, upvotes: number) => ({ setlist_song_id: "a", setlist_id: "l", show_id: "s", upvotes, downvotes: 0, net_votes: upvotes, version });
    store.apply({ type: "snapshot", id: "1", data: votes(3, 3) });
    assert.equal(store.apply({ type: "votes", id: "2", data: votes(2, 9) }), false);
    assert.equal(store.apply({ type: "resync", id: "3", data: { ...votes(4, 1), reason: "lagged" } }), true);
    assert.equal(store.state?.upvotes, 1);
    store.apply({ type: "removed", id: "4", data: { setlist_song_id: "a" } });
    assert.equal(store.removed, true);
  });
});
