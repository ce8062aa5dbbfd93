// The page's stream survives the API: killed (SIGKILL) and started again on the same port, the
// page reconnects by itself and shows a vote cast after the restart, with no reload.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { assertHealthy, assertNotReloaded, launch, markDocument, songRow, textBecomes, visit } from "./browser.js";
import { apiControl, as, fan } from "./env.js";
import { countsOf, openShows } from "./fixtures.js";

describe("an API restart", () => {
  let browser: Browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it("is recovered from: the page shows a vote cast after the API came back", async () => {
    const [{ page: show, crowd }] = await openShows();
    const song = crowd.songs[2]?.entry;
    assert.ok(song);
    const voter = as(fan(2));
    await voter.delete("/v1/setlist-songs/{id}/vote", { path: { id: song.id } });
    const start = await countsOf(show.show.slug, song.id);

    const visitor = await visit(browser, `/shows/${show.show.slug}`);
    const status = visitor.page.getByTestId("live-status");
    await visitor.page.locator("[data-testid=live-status][data-status=open]").waitFor();
    const upvotes = songRow(visitor.page, song.id).getByTestId("upvotes");
    await textBecomes(upvotes, String(start.upvotes));
    await markDocument(visitor.page);

    let stopped = false;
    try {
      await apiControl("stop");
      stopped = true;
      // The page notices the stream is gone.
      await visitor.page.locator("[data-testid=live-status]:not([data-status=open])").waitFor();
      await apiControl("start");
      stopped = false;

      const reply = await voter.put("/v1/setlist-songs/{id}/vote", { path: { id: song.id }, body: { vote_type: "up" } });
      assert.equal(reply.upvotes, start.upvotes + 1);
      // Reconnecting may take a few backoff rounds on a busy machine: a generous wait.
      await textBecomes(upvotes, String(reply.upvotes), 90_000);
      await visitor.page.locator("[data-testid=live-status][data-status=open]").waitFor({ timeout: 90_000 });
      assert.equal(await status.textContent(), "Live");
      await assertNotReloaded(visitor.page);
      assertHealthy(visitor);
    } finally {
      // Whatever failed, the API runs again for the tests after this one.
      if (stopped) await apiControl("start");
      await voter.delete("/v1/setlist-songs/{id}/vote", { path: { id: song.id } });
      await visitor.context.close();
    }
  });
});
