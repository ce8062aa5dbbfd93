import type { components } from "./generated/openapi.js";
import {
  SHOW_EVENTS,
  SONG_EVENTS,
  parseShowEvent,
  parseSongEvent,
  type SetlistState,
  type ShowEvent,
  type ShowState,
  type SongEntry,
  type SongEvent,
  type SongVotes,
} from "./events.js";
import {
  openEventStream,
  type EventSourceConstructor,
  type EventStream,
  type SseMessage,
  type ReconnectOptions,
  type StreamStatus,
  type Transport,
} from "./sse.js";

type VoteReply = components["schemas"]["VoteReply"];
type ShowDetails = components["schemas"]["ShowDetails"];

/**
 * A show page (`GET /v1/shows/{key}`) as the show's stream describes the show: what a store can
 * start from (`store.seed`) so counts show before the stream's snapshot, which then merges in by
 * version. Fans' own predictions are left out, as the stream leaves them out; the score
 * summary stays empty until the snapshot brings it.
 */
export function showStateFromDetails(page: ShowDetails): ShowState {
  const { show } = page;
  return {
    show: { id: show.id, slug: show.slug, name: show.name, status: show.status, starts_at: show.starts_at },
    setlists: page.setlists
      .filter(({ setlist }) => !setlist.owner_id)
      .map(({ setlist, songs }) => ({
        id: setlist.id,
        type: setlist.type,
        name: setlist.name,
        order_index: setlist.order_index,
        is_locked: setlist.is_locked,
        songs: songs.map(({ entry, song }) => ({
          id: entry.id,
          song_id: entry.song_id,
          title: song.title,
          position: entry.position,
          encore: entry.encore,
          is_tape: entry.is_tape,
          notes: entry.notes ?? null,
          is_played: entry.is_played ?? null,
          play_time: entry.play_time ?? null,
          upvotes: entry.upvotes,
          downvotes: entry.downvotes,
          net_votes: entry.net_votes,
          version: entry.vote_version,
        })),
      })),
    scores: { is_final: false, scored_at: null, fans: 0, bot: null, crowd: null, leaders: [] },
  };
}

/** A song's counts and the version they were read at. */
export interface Counts {
  upvotes: number;
  downvotes: number;
  net_votes: number;
  version: number;
}

type Listener = () => void;

/**
 * A show's live state, folded from its stream's events. Every event carries full state, never
 * a delta; per song it keeps the counts with the highest `version`, so events may arrive late,
 * twice or from another API process and the counts never go back.
 *
 * `state` is a new object after every change (and the same one otherwise), so it works as the
 * snapshot of React's `useSyncExternalStore(store.subscribe, () => store.state)`.
 */
export class ShowStore {
  #state: ShowState | null = null;
  #removed = false;
  #counts = new Map<string, Counts>();
  #listeners = new Set<Listener>();

  /** Null until the first snapshot. */
  get state(): ShowState | null {
    return this.#state;
  }

  /** The show was deleted (its stream ended with `removed`). */
  get removed(): boolean {
    return this.#removed;
  }

  /** The newest counts held for a setlist song. */
  counts(setlistSongId: string): Counts | undefined {
    return this.#counts.get(setlistSongId);
  }

  /** The song entry of a setlist song, with the newest counts. */
  song(setlistSongId: string): SongEntry | undefined {
    for (const setlist of this.#state?.setlists ?? []) {
      const song = setlist.songs.find((s) => s.id === setlistSongId);
      if (song) return song;
    }
    return undefined;
  }

  readonly subscribe = (listener: Listener): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /**
   * Starts from a state read elsewhere (`showStateFromDetails` of a server-rendered page) while
   * the stream connects; ignored once the store holds a state.
   */
  seed(state: ShowState): boolean {
    if (this.#state) return false;
    return this.apply({ type: "snapshot", id: "", data: state });
  }

  /** Folds one event in; true when the state changed. */
  apply(event: ShowEvent): boolean {
    const before = this.#state;
    const removedBefore = this.#removed;
    switch (event.type) {
      case "snapshot":
      case "resync": {
        const { show, setlists, scores } = event.data;
        // Counts of songs no longer in the show are dropped; the others keep their newest.
        const present = new Set(setlists.flatMap((l) => l.songs.map((s) => s.id)));
        for (const id of this.#counts.keys()) if (!present.has(id)) this.#counts.delete(id);
        this.#state = { show, setlists: setlists.map((l) => this.#merge(l)), scores };
        break;
      }
      case "votes": {
        if (!this.#state) return false;
        let newer = false;
        for (const song of event.data.songs) newer = this.#offer(song.id, song) || newer;
        if (newer) this.#state = this.#withCounts(this.#state);
        break;
      }
      case "setlist": {
        if (!this.#state) return false;
        const setlist = this.#merge(event.data.setlist);
        const at = this.#state.setlists.findIndex((l) => l.id === setlist.id);
        const setlists = [...this.#state.setlists];
        if (at === -1) setlists.push(setlist);
        else setlists[at] = setlist;
        this.#state = { ...this.#state, setlists };
        break;
      }
      case "setlist_removed": {
        if (!this.#state) return false;
        const gone = this.#state.setlists.find((l) => l.id === event.data.setlist_id);
        if (!gone) return false;
        for (const song of gone.songs) this.#counts.delete(song.id);
        const setlists = this.#state.setlists.filter((l) => l !== gone);
        this.#state = { ...this.#state, setlists };
        break;
      }
      case "show":
        if (!this.#state) return false;
        this.#state = { ...this.#state, show: event.data };
        break;
      case "played":
      case "scored":
        // `played` follows the `setlist` event that carries the new songs: only scores are new.
        if (!this.#state) return false;
        this.#state = { ...this.#state, scores: event.data.scores };
        break;
      case "removed":
        this.#removed = true;
        break;
    }
    const changed = this.#state !== before || this.#removed !== removedBefore;
    if (changed) this.#emit();
    return changed;
  }

  /**
   * Shows the counts of one's own vote reply at once. The reply carries no version, so the
   * counts are kept at the version held: the stream's next event for the song (the one of this
   * vote, within about 100 ms) replaces them, whichever arrives first.
   */
  applyVoteReply(reply: VoteReply): boolean {
    const held = this.#counts.get(reply.setlist_song_id);
    if (!this.#state || !held) return false;
    const same =
      held.upvotes === reply.upvotes &&
      held.downvotes === reply.downvotes &&
      held.net_votes === reply.net_votes;
    if (same) return false;
    this.#counts.set(reply.setlist_song_id, {
      upvotes: reply.upvotes,
      downvotes: reply.downvotes,
      net_votes: reply.net_votes,
      version: held.version,
    });
    this.#state = this.#withCounts(this.#state);
    this.#emit();
    return true;
  }

  /** Keeps `counts` when newer than what is held; true when they were. */
  #offer(id: string, counts: Counts): boolean {
    const held = this.#counts.get(id);
    if (held && held.version >= counts.version) return false;
    const { upvotes, downvotes, net_votes, version } = counts;
    this.#counts.set(id, { upvotes, downvotes, net_votes, version });
    return true;
  }

  /** The setlist with each song's newest counts (offering the setlist's own first). */
  #merge(setlist: SetlistState): SetlistState {
    for (const song of setlist.songs) this.#offer(song.id, song);
    return { ...setlist, songs: setlist.songs.map((s) => ({ ...s, ...this.#counts.get(s.id) })) };
  }

  /** The state with the held counts, new objects only where counts differ. */
  #withCounts(state: ShowState): ShowState {
    const setlists = state.setlists.map((setlist) => {
      let changed = false;
      const songs = setlist.songs.map((song) => {
        const c = this.#counts.get(song.id);
        if (!c || (c.version === song.version && c.upvotes === song.upvotes &&
            c.downvotes === song.downvotes && c.net_votes === song.net_votes)) {
          return song;
        }
        changed = true;
        return { ...song, ...c };
      });
      return changed ? { ...setlist, songs } : setlist;
    });
    return { ...state, setlists };
  }

  #emit(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}

/** One setlist song's live counts, keeping the highest `version`. */
export class SongStore {
  #state: SongVotes | null = null;
  #removed = false;
  #listeners = new Set<Listener>();

  get state(): SongVotes | null {
    return this.#state;
  }

  get removed(): boolean {
    return this.#removed;
  }

  readonly subscribe = (listener: Listener): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  apply(event: SongEvent): boolean {
    let changed = false;
    if (event.type === "removed") {
      changed = !this.#removed;
      this.#removed = true;
    } else if (!this.#state || event.data.version > this.#state.version) {
      const { setlist_song_id, setlist_id, show_id, upvotes, downvotes, net_votes, version } =
        event.data;
      this.#state = { setlist_song_id, setlist_id, show_id, upvotes, downvotes, net_votes, version };
      changed = true;
    }
    if (changed) for (const listener of [...this.#listeners]) listener();
    return changed;
  }
}

export interface LiveOptions<E> {
  /** The API's origin, as for `createClient`. */
  baseUrl: string;
  /** Every event as it arrives, after the store has folded it in. */
  onEvent?(event: E): void;
  /** The connection's state: show a "reconnecting" hint, say. */
  onStatus?(status: StreamStatus): void;
  /** A failed attempt; `willRetry` false: the stream stopped for good (404: no such show). */
  onError?(error: unknown, willRetry: boolean): void;
  /** Default `auto`: `EventSource` in browsers, the fetch reader in Node. */
  transport?: Transport;
  /** Resume after this event id instead of starting with a snapshot. */
  lastEventId?: string | null;
  reconnect?: ReconnectOptions;
  idleTimeoutMs?: number;
  fetch?: typeof fetch;
  EventSource?: EventSourceConstructor;
  /** Aborting it closes the stream. */
  signal?: AbortSignal;
}

export interface Subscription<S> {
  /** The folded state; `store.subscribe` tells of changes. */
  readonly store: S;
  readonly status: StreamStatus;
  /** The id a later subscription may resume from (`lastEventId` option). */
  readonly lastEventId: string | null;
  close(): void;
}

/**
 * Follows a show live (`GET /v1/shows/{key}/events`): its setlists, songs and counts, status
 * and scores, folded into a `ShowStore`. Reconnects until closed, resuming with
 * `Last-Event-ID`; the stream ends for good when the show is deleted.
 */
export function subscribeToShow(
  key: string,
  options: LiveOptions<ShowEvent> & { store?: ShowStore },
): Subscription<ShowStore> {
  const store = options.store ?? new ShowStore();
  const url = `${trimBase(options.baseUrl)}/v1/shows/${encodeURIComponent(key)}/events`;
  return follow(url, SHOW_EVENTS, store, parseShowEvent, (e) => store.apply(e), options);
}

/** Follows one setlist song's counts (`GET /v1/setlist-songs/{id}/events`). */
export function subscribeToSong(
  setlistSongId: string,
  options: LiveOptions<SongEvent> & { store?: SongStore },
): Subscription<SongStore> {
  const store = options.store ?? new SongStore();
  const url = `${trimBase(options.baseUrl)}/v1/setlist-songs/${encodeURIComponent(setlistSongId)}/events`;
  return follow(url, SONG_EVENTS, store, parseSongEvent, (e) => store.apply(e), options);
}

function follow<S, E extends { type: string }>(
  url: string,
  events: readonly string[],
  store: S,
  parse: (message: SseMessage) => E | null,
  apply: (event: E) => void,
  options: LiveOptions<E>,
): Subscription<S> {
  // Assigned before any message arrives: messages are delivered asynchronously.
  let stream: EventStream | null = null;
  stream = openEventStream({
    url,
    events,
    transport: options.transport,
    lastEventId: options.lastEventId,
    reconnect: options.reconnect,
    idleTimeoutMs: options.idleTimeoutMs,
    fetch: options.fetch,
    EventSource: options.EventSource,
    signal: options.signal,
    onStatus: options.onStatus,
    onError: options.onError,
    onMessage(message) {
      let event: E | null;
      try {
        event = parse(message);
      } catch (error) {
        // A frame that is not JSON: report it and keep the stream, the next event heals.
        options.onError?.(error, true);
        return;
      }
      if (!event) return;
      apply(event);
      options.onEvent?.(event);
      // The show or song is gone and the server ends the stream: do not reconnect.
      if (event.type === "removed") stream?.close();
    },
  });
  const opened = stream;
  return {
    store,
    get status() {
      return opened.status;
    },
    get lastEventId() {
      return opened.lastEventId;
    },
    close: () => opened.close(),
  };
}

function trimBase(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, "");
}
