import { api, describeError } from "../api.js";
import { h, replace, type View } from "../dom.js";
import { showCard } from "./home.js";

export const renderArtist: View = (main, [key = ""]) => {
  const upcoming = h("ul", { class: "cards", "data-testid": "upcoming-shows" });
  const past = h("ul", { class: "cards", "data-testid": "past-shows" });
  const title = h("h1", null, "…");
  replace(main, title, h("h2", null, "Upcoming shows"), upcoming, h("h2", null, "Past shows"), past);
  let live = true;
  const load = async () => {
    const [artist, next, done] = await Promise.all([
      api.get("/v1/artists/{key}", { path: { key } }),
      api.get("/v1/artists/{key}/shows", { path: { key }, query: { status: "upcoming", limit: 20 } }),
      api.get("/v1/artists/{key}/shows", { path: { key }, query: { status: "completed", limit: 20 } }),
    ]);
    if (!live) return;
    document.title = `TheSet: ${artist.artist.name}`;
    title.textContent = artist.artist.name;
    const none = (text: string) => h("li", { class: "muted" }, text);
    replace(upcoming, next.items.length ? next.items.map(showCard) : none("No upcoming shows."));
    replace(past, done.items.length ? done.items.map(showCard) : none("No past shows."));
  };
  load().catch((error: unknown) => {
    if (live) replace(main, h("h1", null, "Artist"), h("p", { class: "error" }, describeError(error)));
  });
  return () => {
    live = false;
  };
};
