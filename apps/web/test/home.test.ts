// Trending shows and search render what the API answers, and links stay in the page.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { assertHealthy, assertNotReloaded, launch, markDocument, textBecomes, visit } from "./browser.js";
import { anonymous } from "./env.js";

describe("trending and search", () => {
  let browser: Browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it("lists the trending shows the API lists, in its order, linking to their pages", async () => {
    const trending = await anonymous.get("/v1/shows/trending", { query: { limit: 20 } });
    assert.ok(trending.length > 0, "the seeds have trending shows");
    const visitor = await visit(browser, "/");
    const cards = visitor.page.getByTestId("show-card");
    await cards.first().waitFor();
    const slugs = await cards.evaluateAll((els) => els.map((e) => e.getAttribute("data-slug")));
    assert.deepEqual(slugs, trending.map((c) => c.show.slug));
    const [first] = trending;
    assert.ok(first);
    assert.match((await cards.first().textContent()) ?? "", new RegExp(first.headliner.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));

    await markDocument(visitor.page);
    await cards.first().locator(`a[href="/shows/${first.show.slug}"]`).click();
    await textBecomes(visitor.page.getByTestId("show-name"), first.show.name);
    assert.equal(new URL(visitor.page.url()).pathname, `/shows/${first.show.slug}`);
    await assertNotReloaded(visitor.page);
    assertHealthy(visitor);
    await visitor.context.close();
  });

  it("searches from the header: artists, songs and venues as the API ranks them", async () => {
    const [card] = await anonymous.get("/v1/shows/trending", { query: { limit: 1 } });
    assert.ok(card);
    const q = card.headliner.name;
    const expected = await anonymous.get("/v1/search", { query: { q, limit: 10 } });
    assert.ok(expected.artists.length > 0);

    const visitor = await visit(browser, "/");
    await visitor.page.getByTestId("search-input").fill(q);
    await visitor.page.getByTestId("search-input").press("Enter");
    const artists = visitor.page.getByTestId("artist-hit");
    await artists.first().waitFor();
    assert.deepEqual(
      (await artists.allTextContents()).map((t) => t.trim()),
      expected.artists.map((a) => a.name),
    );
    assert.equal(await visitor.page.getByTestId("song-hit").count(), expected.songs.length);
    assert.equal(await visitor.page.getByTestId("venue-hit").count(), expected.venues.length);
    assert.equal(new URL(visitor.page.url()).searchParams.get("q"), q);

    // The artist's page, reached from the hit, lists its shows.
    await artists.first().locator("a").click();
    const upcoming = visitor.page.getByTestId("upcoming-shows").getByTestId("show-card");
    await upcoming.first().waitFor();
    assert.ok((await upcoming.evaluateAll((els) => els.map((e) => e.getAttribute("data-slug")))).includes(card.show.slug));
    assertHealthy(visitor);
    await visitor.context.close();
  });

  it("renders a search address opened directly, songs with their artist", async () => {
    const [card] = await anonymous.get("/v1/shows/trending", { query: { limit: 1 } });
    assert.ok(card);
    const page = await anonymous.get("/v1/shows/{key}", { path: { key: card.show.slug } });
    const title = page.setlists.flatMap((l) => l.songs)[0]?.song.title;
    assert.ok(title, "the show has songs");
    const expected = await anonymous.get("/v1/search", { query: { q: title, limit: 10 } });
    const hit = expected.songs[0];
    assert.ok(hit, `the API finds the song "${title}"`);

    const visitor = await visit(browser, `/search?q=${encodeURIComponent(title)}`);
    const songs = visitor.page.getByTestId("song-hit");
    await songs.first().waitFor();
    assert.equal(await songs.count(), expected.songs.length);
    assert.equal((await songs.first().textContent())?.trim(), `${hit.title} by ${hit.artist_name}`);
    assert.equal(await visitor.page.getByTestId("search-input").inputValue(), title);
    assertHealthy(visitor);
    await visitor.context.close();
  });
});
