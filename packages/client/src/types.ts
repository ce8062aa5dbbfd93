// Short names for the API's schemas (components["schemas"][...] of the generated document).
import type { components } from "./generated/openapi.js";

type Schemas = components["schemas"];

/** Any schema of the API by its name in openapi.json. */
export type Schema<Name extends keyof Schemas> = Schemas[Name];

export type Artist = Schemas["Artist"];
export type ArtistSummary = Schemas["ArtistSummary"];
export type ArtistWithStats = Schemas["ArtistWithStats"];
export type ArtistHit = Schemas["ArtistHit"];
export type Song = Schemas["Song"];
export type SongHit = Schemas["SongHit"];
export type Venue = Schemas["Venue"];
export type VenueSummary = Schemas["VenueSummary"];
export type VenueHit = Schemas["VenueHit"];
export type Show = Schemas["Show"];
export type ShowStatus = Schemas["ShowStatus"];
export type ShowCard = Schemas["ShowCard"];
export type ShowDetails = Schemas["ShowDetails"];
export type LineupSlot = Schemas["LineupSlot"];
export type Setlist = Schemas["Setlist"];
export type SetlistType = Schemas["SetlistType"];
export type SetlistSong = Schemas["SetlistSong"];
export type SetlistEntry = Schemas["SetlistEntry"];
export type SetlistWithSongs = Schemas["SetlistWithSongs"];
export type SearchResults = Schemas["SearchResults"];
export type Vote = Schemas["Vote"];
export type VoteType = Schemas["VoteType"];
export type VoteReply = Schemas["VoteReply"];
export type Board = Schemas["Board"];
export type BoardRow = Schemas["BoardRow"];
export type ShowBoard = Schemas["ShowBoard"];
export type PredictionScore = Schemas["PredictionScore"];
export type PredictionRecord = Schemas["PredictionRecord"];
export type User = Schemas["User"];
export type MeReply = Schemas["MeReply"];
export type UserProfile = Schemas["UserProfile"];

/** A keyset page: `items`, and `next_cursor` to pass as `cursor` for the next one. */
export type Page<T> = { items: T[]; next_cursor?: string | null };
