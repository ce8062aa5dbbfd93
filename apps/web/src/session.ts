// Signing in, development only: a Supabase access token pasted into the page (or passed as
// ?token=) and kept in localStorage. A real app gets it from Supabase Auth's session.

const KEY = "theset.token";
const listeners = new Set<() => void>();

/** Takes `?token=` off the address (it should not stay in history) and keeps it. */
export function adoptTokenFromUrl(): void {
  const url = new URL(window.location.href);
  const token = url.searchParams.get("token");
  if (token === null) return;
  url.searchParams.delete("token");
  history.replaceState(history.state, "", url.pathname + url.search + url.hash);
  setToken(token.trim() || null);
}

export function getToken(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    // Storage switched off (a privacy mode): signed out.
    return null;
  }
}

export function setToken(token: string | null): void {
  try {
    if (token) localStorage.setItem(KEY, token);
    else localStorage.removeItem(KEY);
  } catch {
    // Nothing to keep it in; the page stays signed out.
  }
  for (const listener of [...listeners]) listener();
}

export function onTokenChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// Another tab signed in or out.
window.addEventListener("storage", (event) => {
  if (event.key === KEY) for (const listener of [...listeners]) listener();
});
