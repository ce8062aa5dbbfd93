import type { ShowCard } from "@repo/client";
import { api, describeError } from "../api.js";
import { formatDate, h, link, replace, type View } from "../dom.js";

/** A show as the lists show it: name, headliner, venue, date. */
export function showCard(card: ShowCard): HTMLElement {
  const { show, headliner, venue } = card;
  return h(
    "li",
    { class: "card", "data-testid": "show-card", "data-slug": show.slug },
    link(`/shows/${encodeURIComponent(show.slug)}`, h("strong", null, show.name)),
    h("div", null, link(`/artists/${encodeURIComponent(headliner.slug)}`, headliner.name)),
    h(
      "div",
      { class: "muted" },
      venue ? `${venue.name}, ${venue.city} · ` : "",
      formatDate(show.starts_at, venue?.timezone),
      show.vote_count > 0 ? ` · ${show.vote_count} votes` : "",
    ),
  );
}

export const renderHome: View = (main) => {
  document.title = "TheSet: trending shows";
  const list = h("ul", { class: "cards", "data-testid": "trending" });
  replace(main, h("h1", null, "Trending shows"), list);
  let live = true;
  api
    .get("/v1/shows/trending", { query: { limit: 20 } })
    .then((shows) => {
      if (!live) return;
      if (shows.length === 0) replace(list, h("li", { class: "muted" }, "No upcoming shows yet."));
      else replace(list, shows.map(showCard));
    })
    .catch((error: unknown) => {
      if (live) replace(list, h("li", { class: "error" }, describeError(error)));
    });
  return () => {
    live = false;
  };
};
