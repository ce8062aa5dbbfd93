import { isApiError, type SetlistWithSongs, type ShowDetails } from "@repo/client";
import { anonymous, as, type Fan } from "./env.js";

export interface OpenShow {
  page: ShowDetails;
  crowd: SetlistWithSongs;
}

/** Upcoming shows (from trending) whose crowd setlist is open and has `songs` songs or more. */
export async function openShows(songs = 3): Promise<[OpenShow, ...OpenShow[]]> {
  const trending = await anonymous.get("/v1/shows/trending", { query: { limit: 50 } });
  const found: OpenShow[] = [];
  for (const card of trending) {
    const page = await anonymous.get("/v1/shows/{key}", { path: { key: card.show.slug } });
    const crowd = page.setlists.find((l) => l.setlist.type === "predicted" && !l.setlist.owner_id);
    const open = Date.parse(page.show.starts_at) > Date.now() + 3_600_000;
    if (crowd && !crowd.setlist.is_locked && crowd.songs.length >= songs && open) found.push({ page, crowd });
  }
  const [first, ...rest] = found;
  if (!first) throw new Error("no upcoming show with an open crowd setlist in trending");
  return [first, ...rest];
}

/** An upcoming show `who` has not predicted yet. */
export async function showWithoutPrediction(who: Fan): Promise<ShowDetails> {
  const fanApi = as(who);
  for (const { page } of await openShows(0)) {
    try {
      await fanApi.get("/v1/shows/{key}/predictions/mine", { path: { key: page.show.id } });
    } catch (error) {
      if (isApiError(error, "not_found")) return page;
      throw error;
    }
  }
  throw new Error(`${who.email} has predicted every open show in trending`);
}

/** The counts of a setlist song as the API's show page has them now. */
export async function countsOf(slug: string, setlistSongId: string) {
  const page = await anonymous.get("/v1/shows/{key}", { path: { key: slug } });
  const entry = page.setlists.flatMap((l) => l.songs).find((s) => s.entry.id === setlistSongId)?.entry;
  if (!entry) throw new Error(`song ${setlistSongId} is not on ${slug}`);
  return entry;
}
