// The show page: the crowd setlist with live counts and voting, the actual setlist once played,
// the visitor's own prediction, and the leaderboard once the show is scored.
import {
  ShowStore,
  isApiError,
  showStateFromDetails,
  subscribeToShow,
  type SetlistState,
  type SetlistWithSongs,
  type ShowBoard,
  type ShowDetails,
  type ShowHeader,
  type Song,
  type SongEntry,
  type StreamStatus,
  type VoteType,
} from "@repo/client";
import { api, apiUrl, describeError } from "../api.js";
import { formatDate, formatScore, h, link, replace, toast, type View } from "../dom.js";
import { getToken } from "../session.js";

const STATUS_TEXT: Record<StreamStatus, string> = {
  connecting: "Connecting…",
  open: "Live",
  reconnecting: "Reconnecting…",
  closed: "Offline",
};

/** Votes and prediction changes close at the show's start (the API says so too, with 409). */
function isOpen(show: ShowHeader): boolean {
  return show.status === "upcoming" && Date.parse(show.starts_at) > Date.now();
}

function encoreLabel(song: SongEntry): string {
  if (song.is_tape) return "tape";
  return song.encore > 0 ? `encore ${song.encore}` : "";
}

export const renderShow: View = (main, [key = ""]) => {
  let active = true;
  const cleanups: Array<() => void> = [];
  replace(main, h("p", { class: "muted" }, "Loading the show…"));

  api
    .get("/v1/shows/{key}", { path: { key } })
    .then((page) => {
      if (active) cleanups.push(mountShow(main, page));
    })
    .catch((error: unknown) => {
      if (!active) return;
      const title = isApiError(error, "not_found") ? "No such show" : "The show could not be loaded";
      replace(main, h("h1", null, title), h("p", { class: "error" }, describeError(error)));
    });

  return () => {
    active = false;
    for (const cleanup of cleanups.splice(0)) cleanup();
  };
};

function mountShow(main: HTMLElement, page: ShowDetails): () => void {
  const signedIn = getToken() !== null;
  const store = new ShowStore();
  store.seed(showStateFromDetails(page));
  const myVotes = new Map<string, VoteType>();
  const pending = new Set<string>();

  document.title = `TheSet: ${page.show.name}`;
  const status = h("span", { class: "live-status", "data-testid": "live-status", "data-status": "connecting" }, STATUS_TEXT.connecting);
  const header = h("p", { class: "muted", "data-testid": "show-meta" });
  const setlistsBox = h("div", { "data-testid": "setlists" });
  const predictionBox = h("section", { class: "panel", "data-testid": "my-prediction" });
  const boardBox = h("section", { class: "panel", "data-testid": "leaderboard" });
  // Before the show the crowd setlist comes first; after it, the scores do.
  const sections = isOpen(page.show) ? [setlistsBox, predictionBox, boardBox] : [boardBox, predictionBox, setlistsBox];
  replace(
    main,
    h("h1", null, h("span", { "data-testid": "show-name" }, page.show.name), " ", status),
    h("p", null, link(`/artists/${encodeURIComponent(page.headliner.slug)}`, page.headliner.name)),
    header,
    sections,
  );

  const drawHeader = () => {
    const show = store.state?.show ?? page.show;
    const venue = page.venue;
    replace(
      header,
      venue ? `${venue.name}, ${venue.city} · ` : "",
      formatDate(show.starts_at, venue?.timezone),
      " · ",
      h("span", { "data-testid": "show-status" }, show.status),
    );
  };

  // Rows are kept by setlist song id, so a count change touches two text nodes and the buttons
  // stay where the visitor's pointer is; a change of songs or order draws the lists again.
  let drawnStructure = "";
  const rows = new Map<string, { up: HTMLElement; down: HTMLElement; net: HTMLElement; buttons: HTMLButtonElement[] }>();

  const structureOf = (setlists: SetlistState[]) =>
    JSON.stringify(
      setlists.map((l) => [l.id, l.type, l.name, l.is_locked, l.songs.map((s) => [s.id, s.title, s.position, s.encore, s.is_tape, s.is_played])]),
    ) + String(isOpen(store.state?.show ?? page.show));

  const drawSetlists = () => {
    const state = store.state;
    if (!state) return;
    const structure = structureOf(state.setlists);
    if (structure !== drawnStructure) {
      drawnStructure = structure;
      rows.clear();
      const crowd = state.setlists.filter((l) => l.type === "predicted");
      const actual = state.setlists.filter((l) => l.type === "actual");
      replace(
        setlistsBox,
        crowd.map((l) => setlistSection(l, `Crowd setlist: ${l.name}`, "crowd-setlist")),
        actual.map((l) => setlistSection(l, `Played: ${l.name}`, "actual-setlist")),
        state.setlists.length === 0 ? h("p", { class: "muted" }, "No setlist yet.") : null,
      );
    }
    for (const setlist of state.setlists) {
      for (const song of setlist.songs) {
        const row = rows.get(song.id);
        if (!row) continue;
        row.up.textContent = String(song.upvotes);
        row.down.textContent = String(song.downvotes);
        row.net.textContent = String(song.net_votes);
        const mine = myVotes.get(song.id);
        for (const button of row.buttons) {
          const kind = button.dataset.vote;
          // Up and down are toggles showing the visitor's vote; retract is a plain action.
          if (kind !== "retract") button.setAttribute("aria-pressed", String(kind === mine));
          button.disabled = pending.has(song.id) || (kind === "retract" && !mine);
        }
      }
    }
  };

  const setlistSection = (setlist: SetlistState, title: string, testid: string) => {
    const votable = setlist.type === "predicted" && !setlist.is_locked && isOpen(store.state?.show ?? page.show);
    const note = setlist.type === "actual"
      ? null
      : !signedIn
        ? "Sign in to vote."
        : votable
          ? null
          : setlist.is_locked
            ? "This setlist is locked."
            : "Voting has closed.";
    return h(
      "section",
      { class: "panel", "data-testid": testid, "data-setlist-id": setlist.id },
      h("h2", null, title),
      note ? h("p", { class: "muted" }, note) : null,
      h(
        "ol",
        { class: "songs" },
        setlist.songs.map((song) => songRow(song, signedIn && votable, setlist.type === "predicted")),
      ),
      setlist.songs.length === 0 ? h("p", { class: "muted" }, "No songs yet.") : null,
    );
  };

  const songRow = (song: SongEntry, votable: boolean, counted: boolean) => {
    const up = h("span", { "data-testid": "upvotes" }, String(song.upvotes));
    const down = h("span", { "data-testid": "downvotes" }, String(song.downvotes));
    const net = h("span", { "data-testid": "net-votes" }, String(song.net_votes));
    const button = (kind: VoteType | "retract", label: string) =>
      h("button", { type: "button", "data-vote": kind, "data-testid": `vote-${kind}`, on: { click: () => void vote(song.id, kind) } }, label);
    const buttons = votable ? [button("up", "▲ Up"), button("down", "▼ Down"), button("retract", "Retract")] : [];
    rows.set(song.id, { up, down, net, buttons });
    const mark = encoreLabel(song);
    return h(
      "li",
      { class: "song", "data-testid": "song", "data-song-id": song.id },
      h("span", { class: "title" }, song.title),
      mark ? h("span", { class: "badge" }, mark) : null,
      counted ? h("span", { class: "counts" }, up, " up · ", down, " down · net ", net) : null,
      buttons.length ? h("span", { class: "vote" }, buttons) : null,
    );
  };

  const vote = async (setlistSongId: string, kind: VoteType | "retract") => {
    pending.add(setlistSongId);
    drawSetlists();
    try {
      const reply =
        kind === "retract"
          ? await api.delete("/v1/setlist-songs/{id}/vote", { path: { id: setlistSongId } })
          : await api.put("/v1/setlist-songs/{id}/vote", { path: { id: setlistSongId }, body: { vote_type: kind } });
      if (reply.vote_type === "up" || reply.vote_type === "down") myVotes.set(setlistSongId, reply.vote_type);
      else myVotes.delete(setlistSongId);
      // The reply's counts at once; the stream's event for this vote follows within ~100 ms.
      store.applyVoteReply(reply);
    } catch (error) {
      toast(describeError(error));
    } finally {
      pending.delete(setlistSongId);
      drawSetlists();
    }
  };

  // The visitor's own votes, to show which buttons are pressed.
  if (signedIn) {
    api
      .get("/v1/shows/{key}/my-votes", { path: { key: page.show.id } })
      .then((votes) => {
        for (const v of votes) myVotes.set(v.setlist_song_id, v.vote_type);
        drawSetlists();
      })
      .catch((error: unknown) => toast(describeError(error)));
  }

  const prediction = mountPrediction(predictionBox, page, store, signedIn);
  const board = mountLeaderboard(boardBox, page, store);

  store.subscribe(() => {
    drawHeader();
    drawSetlists();
    prediction.showChanged();
  });
  const live = subscribeToShow(page.show.slug, {
    baseUrl: apiUrl,
    store,
    onStatus: (s) => {
      status.dataset.status = s;
      status.textContent = STATUS_TEXT[s];
    },
    onEvent: (event) => {
      if (event.type === "scored" || event.type === "snapshot" || event.type === "resync") board.refresh();
      if (event.type === "removed") toast("This show was removed.");
    },
  });
  drawHeader();
  drawSetlists();
  return () => live.close();
}

/** The visitor's own prediction: create it, add songs from the artist's catalog, see it. */
function mountPrediction(box: HTMLElement, page: ShowDetails, store: ShowStore, signedIn: boolean) {
  const show = () => store.state?.show ?? page.show;
  /** Catalog songs on the actual setlist: the prediction's hits. */
  const playedSongs = () =>
    new Set((store.state?.setlists ?? []).filter((l) => l.type === "actual").flatMap((l) => l.songs.map((s) => s.song_id)));
  let mine: SetlistWithSongs | null | undefined; // undefined: loading; null: none
  let catalog: Song[] | null = null;
  let busy = false;
  // What the drawing depends on from the live state: whether predictions are open, and the hits.
  const liveKey = () => `${isOpen(show())}|${[...playedSongs()].sort().join(",")}`;
  let drawnKey = "";

  const draw = () => {
    drawnKey = liveKey();
    const title = h("h2", null, "My prediction");
    if (!signedIn) return replace(box, title, h("p", { class: "muted" }, "Sign in to predict this show's setlist."));
    if (mine === undefined) return replace(box, title, h("p", { class: "muted" }, "Loading…"));
    const open = isOpen(show());
    if (mine === null) {
      return replace(
        box,
        title,
        open
          ? h("button", { type: "button", "data-testid": "create-prediction", disabled: busy, on: { click: () => void create() } }, "Start my prediction")
          : h("p", { class: "muted" }, "You did not predict this show."),
      );
    }
    const prediction = mine;
    const songs = h(
      "ol",
      { class: "songs", "data-testid": "prediction-songs" },
      prediction.songs.map(({ entry, song }) =>
        h(
          "li",
          { class: "song", "data-testid": "prediction-song", "data-song-id": song.id },
          h("span", { class: "title" }, song.title),
          playedSongs().has(song.id) ? h("span", { class: "badge hit", "data-testid": "played-hit" }, "played") : null,
          open
            ? h("button", { type: "button", class: "link", disabled: busy, on: { click: () => void remove(prediction.setlist.id, entry.id) } }, "Remove")
            : null,
        ),
      ),
    );
    const taken = new Set(prediction.songs.map((s) => s.song.id));
    let adder: HTMLElement | null = null;
    if (open && catalog) {
      const select = h(
        "select",
        { "data-testid": "catalog-select", "aria-label": "A song from the catalog" },
        catalog.filter((s) => !taken.has(s.id)).map((s) => h("option", { value: s.id }, s.title)),
      );
      adder = h(
        "form",
        {
          class: "adder",
          on: {
            submit: (event: SubmitEvent) => {
              event.preventDefault();
              if (select.value) void add(prediction.setlist.id, select.value);
            },
          },
        },
        select,
        h("button", { type: "submit", "data-testid": "add-song", disabled: busy || select.options.length === 0 }, "Add"),
      );
    } else if (open) {
      adder = h("p", { class: "muted" }, "Loading the catalog…");
    }
    replace(
      box,
      title,
      prediction.songs.length ? songs : h("p", { class: "muted", "data-testid": "prediction-empty" }, "No songs yet: add the ones you expect."),
      adder,
      open ? null : h("p", { class: "muted" }, "Predictions closed when the show started."),
    );
  };

  const load = async () => {
    try {
      mine = await api.get("/v1/shows/{key}/predictions/mine", { path: { key: page.show.id } });
    } catch (error) {
      if (!isApiError(error, "not_found")) toast(describeError(error));
      mine = null;
    }
    draw();
  };

  const loadCatalog = async () => {
    const songs: Song[] = [];
    let cursor: string | undefined;
    // Catalogs are a few hundred songs at most; ten pages is a safety bound, not a limit hit.
    for (let i = 0; i < 10; i++) {
      const batch = await api.get("/v1/artists/{key}/songs", {
        path: { key: page.headliner.slug },
        query: { limit: 100, cursor },
      });
      songs.push(...batch.items);
      if (!batch.next_cursor) break;
      cursor = batch.next_cursor;
    }
    catalog = songs.sort((a, b) => a.title.localeCompare(b.title));
    draw();
  };

  const run = async (work: () => Promise<unknown>) => {
    busy = true;
    draw();
    try {
      await work();
      await load();
    } catch (error) {
      toast(describeError(error));
    } finally {
      busy = false;
      draw();
    }
  };
  const create = () => run(() => api.post("/v1/shows/{key}/predictions", { path: { key: page.show.id } }));
  const add = (setlistId: string, songId: string) =>
    run(() => api.post("/v1/setlists/{id}/songs", { path: { id: setlistId }, body: { song_id: songId } }));
  const remove = (setlistId: string, setlistSongId: string) =>
    run(() => api.delete("/v1/setlists/{id}/songs/{setlist_song_id}", { path: { id: setlistId, setlist_song_id: setlistSongId } }));

  draw();
  if (signedIn) {
    void load();
    if (isOpen(show())) loadCatalog().catch((error: unknown) => toast(describeError(error)));
  }
  return {
    /** The live state changed: redraw when the show started or songs were played. */
    showChanged: () => {
      if (drawnKey !== liveKey()) draw();
    },
  };
}

/** Fans by score once the show is scored, with the bot's and the crowd's scores to beat. */
function mountLeaderboard(box: HTMLElement, page: ShowDetails, store: ShowStore) {
  let board: ShowBoard | null = null;
  let loading = false;
  let again = false;

  const draw = () => {
    const scores = store.state?.scores;
    if (!board || (board.items.length === 0 && !scores?.scored_at)) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    const final = board.items.every((row) => row.is_final);
    replace(
      box,
      h("h2", null, final ? "Leaderboard" : "Leaderboard (provisional)"),
      h(
        "p",
        { "data-testid": "baselines" },
        "The bot: ",
        h("strong", { "data-testid": "bot-score" }, formatScore(board.bot?.score)),
        " · The crowd: ",
        h("strong", { "data-testid": "crowd-score" }, formatScore(board.crowd?.score)),
      ),
      board.me
        ? h("p", { "data-testid": "my-rank" }, `Your score: ${formatScore(board.me.value)}, rank ${board.me.rank}`)
        : null,
      h(
        "table",
        { class: "board" },
        h("thead", null, h("tr", null, h("th", null, "#"), h("th", null, "Fan"), h("th", null, "Score"), h("th", null, "Rarity"))),
        h(
          "tbody",
          null,
          board.items.map((row) =>
            h(
              "tr",
              { "data-testid": "leaderboard-row", "data-user-id": row.user_id },
              h("td", null, String(row.rank)),
              h("td", null, row.display_name ?? h("span", { class: "muted" }, "A private fan")),
              h("td", { "data-testid": "row-score" }, formatScore(row.value)),
              h("td", null, formatScore(row.secondary)),
            ),
          ),
        ),
      ),
      board.items.length === 0 ? h("p", { class: "muted" }, "No fan predicted this show.") : null,
    );
  };

  // Scored events can come in bursts (a live show, song after song): one request at a time,
  // and one more after it if something changed meanwhile.
  const refresh = () => {
    const show = store.state?.show ?? page.show;
    if (show.status === "upcoming" && !store.state?.scores.scored_at) return;
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    api
      .get("/v1/shows/{key}/leaderboard", { path: { key: page.show.id }, query: { limit: 50 } })
      .then((next) => {
        board = next;
        draw();
      })
      .catch((error: unknown) => toast(describeError(error)))
      .finally(() => {
        loading = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  };

  box.hidden = true;
  refresh();
  return { refresh };
}
