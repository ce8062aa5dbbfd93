// Live counts: a vote cast in one page moves the count in another page, with no reload.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { assertHealthy, assertNotReloaded, launch, markDocument, songRow, textBecomes, visit } from "./browser.js";
import { as, fan } from "./env.js";
import { countsOf, openShows } from "./fixtures.js";

describe("live counts", () => {
  let browser: Browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it("moves in another page when a fan votes up, down and retracts", async () => {
    const [{ page: show, crowd }] = await openShows();
    const song = crowd.songs[0]?.entry;
    assert.ok(song);
    const voter = fan(0);
    await as(voter).delete("/v1/setlist-songs/{id}/vote", { path: { id: song.id } });
    const start = await countsOf(show.show.slug, song.id);

    const watcher = await visit(browser, `/shows/${show.show.slug}`);
    const voting = await visit(browser, `/shows/${show.show.slug}`, voter);
    for (const v of [watcher, voting]) {
      await v.page.locator("[data-testid=live-status][data-status=open]").waitFor();
    }
    const watched = songRow(watcher.page, song.id);
    const mine = songRow(voting.page, song.id);
    await textBecomes(watched.getByTestId("upvotes"), String(start.upvotes));
    assert.equal(await watched.getByTestId("vote-up").count(), 0, "an anonymous visitor gets no vote buttons");
    await markDocument(watcher.page);

    await mine.getByTestId("vote-up").click();
    // Pressed once the reply is in (the page's own stream may bring the count first).
    await mine.locator("[data-testid=vote-up][aria-pressed=true]").waitFor();
    await textBecomes(mine.getByTestId("upvotes"), String(start.upvotes + 1));
    await textBecomes(watched.getByTestId("upvotes"), String(start.upvotes + 1));
    await textBecomes(watched.getByTestId("net-votes"), String(start.net_votes + 1));

    await mine.getByTestId("vote-down").click();
    await textBecomes(watched.getByTestId("downvotes"), String(start.downvotes + 1));
    await textBecomes(watched.getByTestId("upvotes"), String(start.upvotes));
    await mine.locator("[data-testid=vote-down][aria-pressed=true]").waitFor();
    assert.equal(await mine.getByTestId("vote-up").getAttribute("aria-pressed"), "false");

    await mine.getByTestId("vote-retract").click();
    await textBecomes(watched.getByTestId("downvotes"), String(start.downvotes));
    await textBecomes(watched.getByTestId("net-votes"), String(start.net_votes));
    await mine.locator("[data-testid=vote-retract][disabled]").waitFor();

    const votes = await as(voter).get("/v1/shows/{key}/my-votes", { path: { key: show.show.slug } });
    assert.equal(votes.find((v) => v.setlist_song_id === song.id), undefined, "the API agrees: no vote left");
    await assertNotReloaded(watcher.page);
    assertHealthy(watcher);
    assertHealthy(voting);
    await watcher.context.close();
    await voting.context.close();
  });

  it("shows a vote cast elsewhere (over HTTP) and the fan's own votes when signed in", async () => {
    const [{ page: show, crowd }] = await openShows();
    const song = crowd.songs[1]?.entry;
    assert.ok(song);
    const voter = fan(1);
    await as(voter).delete("/v1/setlist-songs/{id}/vote", { path: { id: song.id } });
    const visitor = await visit(browser, `/shows/${show.show.slug}`, voter);
    await visitor.page.locator("[data-testid=live-status][data-status=open]").waitFor();
    const row = songRow(visitor.page, song.id);
    await row.getByTestId("vote-up").waitFor();
    assert.equal(await row.getByTestId("vote-up").getAttribute("aria-pressed"), "false");

    // The same fan votes from another device: the count moves here through the stream.
    const reply = await as(voter).put("/v1/setlist-songs/{id}/vote", { path: { id: song.id }, body: { vote_type: "up" } });
    try {
      await textBecomes(row.getByTestId("upvotes"), String(reply.upvotes));
      // Reloaded, the page reads the fan's votes from the API.
      await visitor.page.reload();
      await visitor.page.locator(`[data-testid=crowd-setlist] [data-song-id="${song.id}"] [data-testid=vote-up][aria-pressed=true]`).waitFor();
    } finally {
      await as(voter).delete("/v1/setlist-songs/{id}/vote", { path: { id: song.id } });
    }
    assertHealthy(visitor);
    await visitor.context.close();
  });
});
