// A fan's own prediction: created, filled from the artist's catalog, seen again after a reload.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { assertHealthy, launch, textBecomes, visit } from "./browser.js";
import { anonymous, as, fan } from "./env.js";
import { showWithoutPrediction } from "./fixtures.js";

describe("my prediction", () => {
  let browser: Browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it("is created, gets songs from the catalog, and is there after a reload", async () => {
    const who = fan(2);
    const show = await showWithoutPrediction(who);
    const catalog = await anonymous.get("/v1/artists/{key}/songs", { path: { key: show.headliner.slug }, query: { limit: 100 } });
    const [first, second] = catalog.items;
    assert.ok(first && second, "the artist has a catalog");

    const visitor = await visit(browser, `/shows/${show.show.slug}`, who);
    const box = visitor.page.getByTestId("my-prediction");
    await box.getByTestId("create-prediction").click();
    await box.getByTestId("prediction-empty").waitFor();
    const select = box.getByTestId("catalog-select");
    await select.waitFor();
    assert.equal(await select.locator("option").count(), catalog.items.length, "the whole catalog to pick from");

    for (const song of [first, second]) {
      await select.selectOption(song.id);
      await box.getByTestId("add-song").click();
      await box.locator(`[data-testid=prediction-song][data-song-id="${song.id}"]`).waitFor();
    }
    const titles = async () => (await box.getByTestId("prediction-song").locator(".title").allTextContents()).map((t) => t.trim());
    assert.deepEqual(await titles(), [first.title, second.title]);
    assert.equal(await select.locator(`option[value="${first.id}"]`).count(), 0, "a song on the prediction is not offered again");

    // The API holds it: the fan's own prediction, in order.
    const mine = await as(who).get("/v1/shows/{key}/predictions/mine", { path: { key: show.show.id } });
    assert.deepEqual(mine.songs.map((s) => s.song.id), [first.id, second.id]);
    assert.equal(mine.setlist.owner_id, who.id);

    await visitor.page.reload();
    await box.locator(`[data-testid=prediction-song][data-song-id="${second.id}"]`).waitFor();
    assert.deepEqual(await titles(), [first.title, second.title]);

    await box.locator(`[data-testid=prediction-song][data-song-id="${first.id}"]`).getByRole("button", { name: "Remove" }).click();
    await box.locator(`[data-testid=prediction-song][data-song-id="${first.id}"]`).waitFor({ state: "detached" });
    const after = await as(who).get("/v1/shows/{key}/predictions/mine", { path: { key: show.show.id } });
    assert.deepEqual(after.songs.map((s) => s.song.id), [second.id]);
    // Fans' own predictions stay out of the public crowd setlist.
    assert.equal(await visitor.page.getByTestId("crowd-setlist").locator(`[data-song-id="${mine.songs[1]?.entry.id}"]`).count(), 0);
    assertHealthy(visitor);
    await visitor.context.close();
  });
});

describe("signing in", () => {
  let browser: Browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it("keeps a pasted token in localStorage, across reloads, until signing out", async () => {
    const who = fan(0);
    const me = await as(who).get("/v1/me");
    const visitor = await visit(browser, "/");
    await visitor.page.getByTestId("token-input").fill(who.token);
    await visitor.page.getByTestId("token-submit").click();
    const name = me.user.display_name || me.user.email;
    await textBecomes(visitor.page.getByTestId("signed-in-as"), name);
    assert.equal(await visitor.page.evaluate(() => localStorage.getItem("theset.token")), who.token);
    await visitor.page.reload();
    await textBecomes(visitor.page.getByTestId("signed-in-as"), name);
    await visitor.page.getByRole("button", { name: "Sign out" }).click();
    await visitor.page.getByTestId("token-input").waitFor();
    assert.equal(await visitor.page.evaluate(() => localStorage.getItem("theset.token")), null);
    assertHealthy(visitor);
    await visitor.context.close();
  });

  it("takes ?token= off the address, and says so when the API refuses a token", async () => {
    const visitor = await visit(browser, "/", fan(1));
    assert.equal(new URL(visitor.page.url()).searchParams.has("token"), false);
    await visitor.page.goto(`${new URL(visitor.page.url()).origin}/?token=not-a-token`);
    await visitor.page.getByTestId("session-error").waitFor();
    assert.match((await visitor.page.getByTestId("session-error").textContent()) ?? "", /token refused/i);
    assertHealthy(visitor);
    await visitor.context.close();
  });
});
