import { createClient, type SetlistWithSongs, type ShowDetails, type TheSetClient } from "@repo/client";
import { apiUrl } from "./env.js";

export const anonymous: TheSetClient = createClient({ baseUrl: apiUrl });

export function as(token: string): TheSetClient {
  return createClient({ baseUrl: apiUrl, token });
}

/** The crowd setlist of a show page: predicted and owned by nobody. */
export function crowdSetlist(page: ShowDetails): SetlistWithSongs | undefined {
  return page.setlists.find((l) => l.setlist.type === "predicted" && !l.setlist.owner_id);
}

export interface OpenShow {
  page: ShowDetails;
  crowd: SetlistWithSongs;
}

/**
 * Upcoming shows (from trending) whose crowd setlist has at least `songs` songs and is open:
 * what votes can be cast on. The n-th one lets test files use shows of their own.
 */
export async function openShows(songs = 3): Promise<[OpenShow, ...OpenShow[]]> {
  const trending = await anonymous.get("/v1/shows/trending", { query: { limit: 50 } });
  const found: OpenShow[] = [];
  for (const card of trending) {
    const page = await anonymous.get("/v1/shows/{key}", { path: { key: card.show.slug } });
    const crowd = crowdSetlist(page);
    const open = Date.parse(page.show.starts_at) > Date.now() + 3_600_000;
    if (crowd && !crowd.setlist.is_locked && crowd.songs.length >= songs && open) {
      found.push({ page, crowd });
    }
  }
  const [first, ...rest] = found;
  if (!first) throw new Error("no upcoming show with an open crowd setlist in trending");
  return [first, ...rest];
}
