// TheSet API client: `createClient` for the REST routes, `subscribeToShow` / `subscribeToSong`
// for the live streams, and the types of both, generated from apps/api/openapi.json.
export * from "./client.js";
export * from "./errors.js";
export * from "./events.js";
export * from "./live.js";
export * from "./sse.js";
export * from "./types.js";
export type { components, operations, paths } from "./generated/openapi.js";
