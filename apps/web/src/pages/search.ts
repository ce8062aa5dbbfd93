import { api, describeError } from "../api.js";
import { h, link, replace, type View } from "../dom.js";

export const renderSearch: View = (main, _params, query) => {
  const q = query.get("q")?.trim() ?? "";
  document.title = q ? `TheSet: ${q}` : "TheSet: search";
  if (!q) {
    replace(main, h("h1", null, "Search"), h("p", { class: "muted" }, "Type an artist, a song or a venue above."));
    return;
  }
  const results = h("div", { "data-testid": "search-results" }, h("p", { class: "muted" }, "Searching…"));
  replace(main, h("h1", null, `Results for “${q}”`), results);
  let live = true;
  api
    .get("/v1/search", { query: { q, limit: 10 } })
    .then(({ artists, songs, venues }) => {
      if (!live) return;
      const section = (title: string, testid: string, items: HTMLElement[]) =>
        h(
          "section",
          { "data-testid": testid },
          h("h2", null, title),
          items.length ? h("ul", { class: "plain" }, items) : h("p", { class: "muted" }, "Nothing found."),
        );
      replace(
        results,
        section(
          "Artists",
          "artist-results",
          artists.map((a) => h("li", { "data-testid": "artist-hit" }, link(`/artists/${encodeURIComponent(a.slug)}`, a.name))),
        ),
        section(
          "Songs",
          "song-results",
          songs.map((s) =>
            h(
              "li",
              { "data-testid": "song-hit" },
              h("strong", null, s.title),
              " by ",
              link(`/artists/${encodeURIComponent(s.artist_slug)}`, s.artist_name),
            ),
          ),
        ),
        section(
          "Venues",
          "venue-results",
          venues.map((v) => h("li", { "data-testid": "venue-hit" }, `${v.name}, ${v.city} (${v.country})`)),
        ),
      );
    })
    .catch((error: unknown) => {
      if (live) replace(results, h("p", { class: "error" }, describeError(error)));
    });
  return () => {
    live = false;
  };
};
