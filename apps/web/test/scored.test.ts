// After the show: the played setlist, the leaderboard with the bot's and the crowd's scores, and
// a signed-in fan's own rank.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { assertHealthy, launch, textBecomes, visit } from "./browser.js";
import { anonymous, as, fan, scoredShow } from "./env.js";

const score = (value: number | null | undefined) => (value === null || value === undefined ? "–" : value.toFixed(1));

describe("a finished show", () => {
  let browser: Browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it("renders the leaderboard, the bot and the crowd, and what was played", async () => {
    const board = await anonymous.get("/v1/shows/{key}/leaderboard", { path: { key: scoredShow }, query: { limit: 50 } });
    const page = await anonymous.get("/v1/shows/{key}", { path: { key: scoredShow } });
    assert.ok(board.items.length > 0, "the seeded show has scored fans");
    const actual = page.setlists.find((l) => l.setlist.type === "actual");
    assert.ok(actual, "the seeded show has an actual setlist");

    const visitor = await visit(browser, `/shows/${scoredShow}`);
    const rows = visitor.page.getByTestId("leaderboard-row");
    await rows.first().waitFor();
    assert.deepEqual(
      await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-user-id"))),
      board.items.map((r) => r.user_id),
      "every fan, in the API's order",
    );
    assert.deepEqual(
      (await visitor.page.getByTestId("row-score").allTextContents()).map((t) => t.trim()),
      board.items.map((r) => score(r.value)),
    );
    await textBecomes(visitor.page.getByTestId("bot-score"), score(board.bot?.score));
    await textBecomes(visitor.page.getByTestId("crowd-score"), score(board.crowd?.score));
    const named = board.items.find((r) => r.display_name);
    if (named?.display_name) {
      assert.ok((await rows.allTextContents()).some((t) => t.includes(named.display_name ?? "")));
    }

    const played = visitor.page.getByTestId("actual-setlist").getByTestId("song");
    assert.equal(await played.count(), actual.songs.length);
    assert.equal((await played.first().locator(".title").textContent())?.trim(), actual.songs[0]?.song.title);
    assert.equal(await visitor.page.locator("[data-testid=vote-up]").count(), 0, "no voting after the show");
    assert.equal(await visitor.page.getByTestId("show-status").textContent(), "completed");
    assertHealthy(visitor);
    await visitor.context.close();
  });

  it("shows a signed-in fan their own score and rank", async () => {
    const board = await anonymous.get("/v1/shows/{key}/leaderboard", { path: { key: scoredShow }, query: { limit: 50 } });
    const ranked = [fan(0), fan(1), fan(2)].find((f) => board.items.some((r) => r.user_id === f.id));
    assert.ok(ranked, "one of the test fans predicted the scored show");
    const mine = await as(ranked).get("/v1/shows/{key}/leaderboard", { path: { key: scoredShow } });
    assert.ok(mine.me, "the API gives the fan's own row");

    const visitor = await visit(browser, `/shows/${scoredShow}`, ranked);
    await textBecomes(visitor.page.getByTestId("my-rank"), `Your score: ${score(mine.me.value)}, rank ${mine.me.rank}`);
    // The fan's prediction is shown, closed.
    const songs = visitor.page.getByTestId("prediction-song");
    await songs.first().waitFor();
    const prediction = await as(ranked).get("/v1/shows/{key}/predictions/mine", { path: { key: scoredShow } });
    assert.equal(await songs.count(), prediction.songs.length);
    assert.equal(await visitor.page.getByTestId("catalog-select").count(), 0, "no adding after the show");
    assertHealthy(visitor);
    await visitor.context.close();
  });
});
