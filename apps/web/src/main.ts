// TheSet's reference page: a router over four views and the sign-in box.
import { api, describeError } from "./api.js";
import { h, replace, type View } from "./dom.js";
import { renderArtist } from "./pages/artist.js";
import { renderHome } from "./pages/home.js";
import { renderSearch } from "./pages/search.js";
import { renderShow } from "./pages/show.js";
import { adoptTokenFromUrl, getToken, onTokenChange, setToken } from "./session.js";

const routes: Array<[RegExp, View]> = [
  [/^\/$/, renderHome],
  [/^\/search$/, renderSearch],
  [/^\/artists\/([^/]+)$/, renderArtist],
  [/^\/shows\/([^/]+)$/, renderShow],
];

let leave: (() => void) | void;

function route(): void {
  leave?.();
  leave = undefined;
  const main = document.getElementById("main");
  if (!main) return;
  const { pathname, searchParams } = new URL(window.location.href);
  for (const [pattern, view] of routes) {
    const match = pattern.exec(pathname);
    if (match) {
      const params = match.slice(1).map((p) => decodeURIComponent(p));
      leave = view(main, params, searchParams);
      syncSearchBox(searchParams);
      return;
    }
  }
  replace(main, h("h1", null, "Not found"), h("p", null, h("a", { href: "/", "data-link": true }, "Back to trending shows")));
}

function navigate(href: string): void {
  history.pushState(null, "", href);
  route();
  window.scrollTo(0, 0);
}

function syncSearchBox(query: URLSearchParams): void {
  const input = document.querySelector<HTMLInputElement>("form.search input[name=q]");
  if (input && document.activeElement !== input) input.value = query.get("q") ?? "";
}

// Links marked data-link stay in the page; modified clicks (new tab) are the browser's.
document.addEventListener("click", (event) => {
  const anchor = (event.target as Element | null)?.closest?.("a[data-link]");
  if (!(anchor instanceof HTMLAnchorElement)) return;
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  navigate(anchor.getAttribute("href") ?? "/");
});
window.addEventListener("popstate", route);

document.querySelector("form.search")?.addEventListener("submit", (event) => {
  event.preventDefault();
  const q = new FormData(event.target as HTMLFormElement).get("q")?.toString().trim() ?? "";
  navigate(q ? `/search?q=${encodeURIComponent(q)}` : "/");
});

/** The header's sign-in box: who is signed in, or a field for a development token. */
async function renderSession(): Promise<void> {
  const box = document.querySelector<HTMLElement>("[data-testid=session]");
  if (!box) return;
  const token = getToken();
  if (!token) {
    const input = h("input", {
      type: "password",
      name: "token",
      placeholder: "Paste a development token",
      "aria-label": "Access token",
      autocomplete: "off",
      "data-testid": "token-input",
    });
    const form = h(
      "form",
      {
        class: "signin",
        on: {
          submit: (event: SubmitEvent) => {
            event.preventDefault();
            setToken(input.value.trim() || null);
          },
        },
      },
      input,
      h("button", { type: "submit", "data-testid": "token-submit" }, "Sign in"),
    );
    replace(box, form);
    return;
  }
  const signOut = h("button", { type: "button", class: "link", on: { click: () => setToken(null) } }, "Sign out");
  replace(box, h("span", { class: "muted" }, "Signing in…"));
  try {
    const me = await api.get("/v1/me");
    if (getToken() !== token) return;
    const name = me.user.display_name || me.user.email;
    replace(box, h("span", { "data-testid": "signed-in-as" }, name), " ", signOut);
  } catch (error) {
    if (getToken() !== token) return;
    replace(box, h("span", { class: "error", "data-testid": "session-error" }, describeError(error)), " ", signOut);
  }
}

adoptTokenFromUrl();
onTokenChange(() => {
  void renderSession();
  // Views show what the visitor may do (vote, predict): draw them again as the new visitor.
  route();
});
void renderSession();
route();
