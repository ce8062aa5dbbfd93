// A few DOM helpers: elements are built with textContent only (never innerHTML), so names and
// titles from the API cannot inject markup.

/** A view draws into `main` and returns what stops it (streams, listeners) when left. */
export type View = (main: HTMLElement, params: string[], query: URLSearchParams) => (() => void) | void;

export type Child = Node | string | number | null | undefined | false | Child[];

type Props = {
  class?: string;
  /** Event handlers: `{ click: (e) => ... }`. */
  on?: { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
} & Record<string, unknown>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Props | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (name === "on") {
      for (const [event, handler] of Object.entries(value as Record<string, EventListener>)) {
        element.addEventListener(event, handler);
      }
    } else if (value === true) {
      element.setAttribute(name, "");
    } else if (value !== false && value !== null && value !== undefined) {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** A link handled by the page's router (no reload). */
export function link(href: string, ...children: Child[]): HTMLAnchorElement {
  return h("a", { href, "data-link": true }, ...children);
}

export function formatDate(iso: string, timeZone?: string): string {
  const date = new Date(iso);
  try {
    return new Intl.DateTimeFormat(undefined, {
      dateStyle: "medium",
      timeStyle: "short",
      timeZone,
    }).format(date);
  } catch {
    // An unknown time zone name: the browser's own.
    return date.toLocaleString();
  }
}

export function formatScore(score: number | null | undefined): string {
  return score === null || score === undefined ? "–" : score.toFixed(1);
}

let toastTimer: ReturnType<typeof setTimeout> | undefined;

/** A short message at the bottom of the page. */
export function toast(message: string): void {
  const box = document.querySelector<HTMLElement>("[data-testid=toast]");
  if (!box) return;
  box.textContent = message;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    box.hidden = true;
  }, 6000);
}
