// The events of the live streams `GET /v1/shows/{key}/events` and
// `GET /v1/setlist-songs/{id}/events`: their names and payloads, typed.
import type { components } from "./generated/openapi.js";
import type { SseMessage } from "./sse.js";

type Schemas = components["schemas"];

// The payloads are schemas of the OpenAPI document (generated from the API's own types in
// crates/realtime/src/events.rs); the names here are the document's.

/** A show as its stream describes it: header, setlists with songs and counts, score summary. */
export type ShowState = Schemas["ShowState"];
/** A show's header: what its stream says of the show itself. */
export type ShowHeader = Schemas["ShowHeader"];
export type SetlistState = Schemas["SetlistState"];
/** A song at a position of a setlist, with its counts and their `version` (only grows). */
export type SongEntry = Schemas["SongEntry"];
/** A show's prediction scores at a glance: the top 10 fans, the bot, the crowd. */
export type ScoreSummary = Schemas["ScoreSummary"];
export type Leader = Schemas["Leader"];
/** Why the stream sends the whole state again: `lagged`, `reconnected` or `expired`. */
export type ResyncReason = Schemas["ResyncReason"];
export type ShowResync = Schemas["ShowResync"];
/** A song's counts in a show's `votes` event. */
export type SongCounts = Schemas["SongCounts"];
export type ShowVotes = Schemas["ShowVotes"];
/** What changed in a setlist, besides its full new state. */
export type SetlistChanges = Schemas["SetlistChanges"];
export type SetlistUpdate = Schemas["SetlistUpdate"];
export type SetlistRemoved = Schemas["SetlistRemoved"];
/** Songs recorded on the actual setlist, with the score summary as it stands. */
export type Played = Schemas["Played"];
export type PlayedEntry = Schemas["PlayedEntry"];
export type Scored = Schemas["Scored"];
export type ShowRemoved = Schemas["ShowRemoved"];
/** One setlist song's counts: a song stream's snapshot and votes. */
export type SongVotes = Schemas["SongVotes"];
export type SongResync = Schemas["SongResync"];
export type SongRemoved = Schemas["SongRemoved"];

/** The payload of each event of a show's stream, by event name. */
export interface ShowEventMap {
  snapshot: ShowState;
  resync: ShowResync;
  votes: ShowVotes;
  setlist: SetlistUpdate;
  setlist_removed: SetlistRemoved;
  show: ShowHeader;
  played: Played;
  scored: Scored;
  removed: ShowRemoved;
}

/** The payload of each event of a setlist song's stream, by event name. */
export interface SongEventMap {
  snapshot: SongVotes;
  resync: SongResync;
  votes: SongVotes;
  removed: SongRemoved;
}

/** An event as received: its name, its payload, and the event id to resume after it. */
export type StreamEvent<M> = {
  [K in keyof M]: { type: K; data: M[K]; id: string };
}[keyof M];

export type ShowEvent = StreamEvent<ShowEventMap>;
export type SongEvent = StreamEvent<SongEventMap>;

export const SHOW_EVENTS = [
  "snapshot",
  "resync",
  "votes",
  "setlist",
  "setlist_removed",
  "show",
  "played",
  "scored",
  "removed",
] as const satisfies ReadonlyArray<keyof ShowEventMap>;

export const SONG_EVENTS = [
  "snapshot",
  "resync",
  "votes",
  "removed",
] as const satisfies ReadonlyArray<keyof SongEventMap>;

/**
 * The typed event of a message, or null for an event this client does not know (a newer API
 * may add some: they are skipped rather than failing the stream).
 */
export function parseShowEvent(message: SseMessage): ShowEvent | null {
  return parseEvent<ShowEventMap>(SHOW_EVENTS, message);
}

export function parseSongEvent(message: SseMessage): SongEvent | null {
  return parseEvent<SongEventMap>(SONG_EVENTS, message);
}

function parseEvent<M>(names: readonly (keyof M)[], message: SseMessage): StreamEvent<M> | null {
  if (!(names as readonly string[]).includes(message.event)) return null;
  // The server's own serializer wrote it: its shape is the types above, not rechecked here.
  const data: unknown = JSON.parse(message.data);
  return { type: message.event, data, id: message.lastEventId } as StreamEvent<M>;
}
