import { ApiError } from "./errors.js";

/** One server-sent event. */
export interface SseMessage {
  /** The `event:` field (`message` when absent). */
  event: string;
  /** The `data:` lines, joined with newlines. */
  data: string;
  /** The stream's last event id after this event (what a reconnection resumes from). */
  lastEventId: string;
}

/**
 * An incremental `text/event-stream` parser, as the WHATWG HTML standard specifies it: lines
 * end with CRLF, LF or CR (also across chunks), comments are ignored, an event is dispatched
 * on a blank line, and an unfinished event at the end of the stream is dropped.
 */
export class SseParser {
  lastEventId = "";
  #buffer = "";
  #afterCr = false;
  #event = "";
  #data: string[] = [];
  #id: string | null = null;
  #started = false;

  constructor(
    private readonly onMessage: (message: SseMessage) => void,
    private readonly onRetry: (ms: number) => void = () => {},
  ) {}

  /** Feeds decoded text. */
  push(chunk: string): void {
    let text = chunk;
    if (!this.#started && text.length > 0) {
      this.#started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    // A CR ending the previous chunk and an LF starting this one are one line break.
    if (this.#afterCr && text.startsWith("\n")) text = text.slice(1);
    this.#afterCr = false;
    this.#buffer += text;
    let start = 0;
    for (let i = 0; i < this.#buffer.length; i++) {
      const c = this.#buffer.charCodeAt(i);
      if (c !== 0x0a && c !== 0x0d) continue;
      this.#line(this.#buffer.slice(start, i));
      if (c === 0x0d) {
        if (i + 1 === this.#buffer.length) this.#afterCr = true;
        else if (this.#buffer.charCodeAt(i + 1) === 0x0a) i++;
      }
      start = i + 1;
    }
    this.#buffer = this.#buffer.slice(start);
  }

  /** The stream ended: an event without its blank line is discarded. */
  end(): void {
    this.#buffer = "";
    this.#afterCr = false;
    this.#event = "";
    this.#data = [];
    this.#id = null;
  }

  #line(line: string): void {
    if (line === "") return this.#dispatch();
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        this.#event = value;
        break;
      case "data":
        this.#data.push(value);
        break;
      case "id":
        if (!value.includes("\0")) this.#id = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.onRetry(Number(value));
        break;
      default:
        break;
    }
  }

  #dispatch(): void {
    if (this.#id !== null) this.lastEventId = this.#id;
    const event = this.#event || "message";
    const data = this.#data;
    this.#event = "";
    this.#data = [];
    this.#id = null;
    if (data.length === 0) return;
    this.onMessage({ event, data: data.join("\n"), lastEventId: this.lastEventId });
  }
}

export type StreamStatus = "connecting" | "open" | "reconnecting" | "closed";

/**
 * `auto`: the browser's `EventSource` where there is one, else the fetch reader (Node 20 has no
 * `EventSource`). `fetch` works everywhere `fetch` streams bodies and reports HTTP errors as
 * `ApiError`s, which `EventSource` cannot see.
 */
export type Transport = "auto" | "eventsource" | "fetch";

export interface ReconnectOptions {
  /** First delay after a failure, doubled on each failure in a row. Default 1000 ms. */
  initialDelayMs?: number;
  /** The most the delay grows to. Default 30 s. */
  maxDelayMs?: number;
}

/** The constructor of `EventSource` (the browser's, or any compatible one). */
export type EventSourceConstructor = new (url: string) => EventSource;

export interface EventStreamOptions {
  /** The stream's absolute URL. */
  url: string;
  /** The event names to receive (`EventSource` only delivers named events one listens to). */
  events: readonly string[];
  onMessage(message: SseMessage): void;
  onStatus?(status: StreamStatus): void;
  /** A failed attempt. `willRetry` false: the stream stopped for good (a 404, say). */
  onError?(error: unknown, willRetry: boolean): void;
  transport?: Transport;
  /** Resume after this event id (sent as `Last-Event-ID`, or `?last_event_id=`). */
  lastEventId?: string | null;
  reconnect?: ReconnectOptions;
  /**
   * Fetch reader: reconnect when nothing at all (not even a heartbeat, sent every 15 s)
   * arrived for this long, which catches connections that died silently. Default 45 s.
   */
  idleTimeoutMs?: number;
  fetch?: typeof fetch;
  EventSource?: EventSourceConstructor;
  /** Aborting it closes the stream. */
  signal?: AbortSignal;
}

export interface EventStream {
  readonly status: StreamStatus;
  /** The id to resume from; null before the first event. */
  readonly lastEventId: string | null;
  close(): void;
}

/** Statuses worth another attempt; any other error status stops the stream. */
const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

/** The stream's media type did not come back (a proxy's page, a wrong URL). */
export class StreamError extends Error {
  override readonly name = "StreamError";
}

/**
 * Opens a server-sent event stream that reconnects until closed, resuming from the last event
 * id: after the stream ends (the server ends streams after a while), after network errors and
 * after retryable statuses (429 and 503 after their `Retry-After`), with a growing delay.
 */
export function openEventStream(options: EventStreamOptions): EventStream {
  const EventSourceImpl =
    options.EventSource ??
    (globalThis as { EventSource?: EventSourceConstructor }).EventSource;
  const transport =
    options.transport === "auto" || options.transport === undefined
      ? EventSourceImpl
        ? "eventsource"
        : "fetch"
      : options.transport;
  if (transport === "eventsource" && !EventSourceImpl) {
    throw new TypeError("transport 'eventsource' asked for, but there is no EventSource here");
  }
  const initialDelay = options.reconnect?.initialDelayMs ?? 1000;
  const maxDelay = options.reconnect?.maxDelayMs ?? 30_000;
  const state = {
    status: "connecting" as StreamStatus,
    lastEventId: options.lastEventId ?? null,
    closed: false,
    failures: 0,
  };
  const stopped = new AbortController();
  const cleanups: Array<() => void> = [];

  const setStatus = (status: StreamStatus) => {
    if (state.status === status || (state.closed && status !== "closed")) return;
    state.status = status;
    options.onStatus?.(status);
  };
  const close = () => {
    if (state.closed) return;
    state.closed = true;
    stopped.abort();
    for (const cleanup of cleanups.splice(0)) cleanup();
    setStatus("closed");
  };
  // Full jitter on an exponential delay, so clients dropped together do not return together.
  const backoff = () => {
    const ceiling = Math.min(maxDelay, initialDelay * 2 ** Math.min(state.failures, 16));
    state.failures += 1;
    return ceiling / 2 + Math.random() * (ceiling / 2);
  };
  const deliver = (message: SseMessage) => {
    if (state.closed) return;
    if (message.lastEventId) state.lastEventId = message.lastEventId;
    options.onMessage(message);
  };

  if (options.signal) {
    if (options.signal.aborted) queueMicrotask(close);
    else {
      const signal = options.signal;
      signal.addEventListener("abort", close, { once: true });
      cleanups.push(() => signal.removeEventListener("abort", close));
    }
  }

  if (transport === "fetch") {
    void runFetch();
  } else {
    runEventSource(EventSourceImpl as EventSourceConstructor);
  }

  return {
    get status() {
      return state.status;
    },
    get lastEventId() {
      return state.lastEventId;
    },
    close,
  };

  function runEventSource(Impl: EventSourceConstructor): void {
    let source: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let opened = false;
    cleanups.push(() => {
      clearTimeout(timer);
      source?.close();
    });
    const connect = () => {
      if (state.closed) return;
      // A new EventSource cannot be given a Last-Event-ID header; the API reads the query too.
      source = new Impl(withQuery(options.url, "last_event_id", state.lastEventId));
      const current = source;
      setStatus(opened ? "reconnecting" : "connecting");
      current.onopen = () => {
        opened = true;
        state.failures = 0;
        setStatus("open");
      };
      for (const name of options.events) {
        current.addEventListener(name, (event) => {
          const message = event as MessageEvent<string>;
          deliver({ event: name, data: message.data, lastEventId: message.lastEventId });
        });
      }
      current.onerror = () => {
        if (state.closed || source !== current) return;
        if (current.readyState === current.CONNECTING) {
          // The browser reconnects by itself (after the server's `retry:`), with Last-Event-ID.
          setStatus("reconnecting");
          return;
        }
        // CLOSED: the browser gave up (an error status or another media type), and it does
        // not say which; try again later with a new EventSource.
        current.close();
        options.onError?.(new StreamError(`the event stream ${options.url} failed`), true);
        setStatus("reconnecting");
        timer = setTimeout(connect, backoff());
      };
    };
    connect();
  }

  async function runFetch(): Promise<void> {
    const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    const idleTimeout = options.idleTimeoutMs ?? 45_000;
    let retryMs = 2000;
    let opened = false;
    while (!state.closed) {
      setStatus(opened ? "reconnecting" : "connecting");
      const attempt = new AbortController();
      const abortAttempt = () => attempt.abort();
      stopped.signal.addEventListener("abort", abortAttempt, { once: true });
      let delay: number;
      try {
        const headers: Record<string, string> = { Accept: "text/event-stream" };
        if (state.lastEventId) headers["Last-Event-ID"] = state.lastEventId;
        const response = await fetchImpl(options.url, {
          headers,
          signal: attempt.signal,
          cache: "no-store",
        });
        if (response.status === 204) {
          // The event stream standard's way for a server to say "do not reconnect".
          close();
          return;
        }
        if (!response.ok) {
          const error = await ApiError.fromResponse(response, "GET", options.url);
          if (!RETRYABLE.has(response.status)) {
            options.onError?.(error, false);
            close();
            return;
          }
          options.onError?.(error, true);
          delay = error.retryAfter !== null ? error.retryAfter * 1000 : backoff();
        } else if (!/^text\/event-stream/i.test(response.headers.get("content-type") ?? "")) {
          await response.body?.cancel();
          options.onError?.(new StreamError(`${options.url} is not an event stream`), false);
          close();
          return;
        } else {
          opened = true;
          state.failures = 0;
          setStatus("open");
          await readStream(response, attempt, idleTimeout, (ms) => {
            retryMs = ms;
          });
          // The server ended the stream (it does so after a while, or shutting down): resume.
          delay = retryMs;
        }
      } catch (error) {
        if (state.closed) return;
        options.onError?.(error, true);
        delay = backoff();
      } finally {
        stopped.signal.removeEventListener("abort", abortAttempt);
      }
      if (state.closed) return;
      setStatus("reconnecting");
      await sleep(delay, stopped.signal);
    }
  }

  async function readStream(
    response: Response,
    attempt: AbortController,
    idleTimeout: number,
    onRetry: (ms: number) => void,
  ): Promise<void> {
    if (!response.body) throw new StreamError("the event stream has no body");
    const parser = new SseParser(deliver, onRetry);
    if (state.lastEventId) parser.lastEventId = state.lastEventId;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let idle: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(
        () => attempt.abort(new StreamError(`nothing arrived for ${idleTimeout} ms`)),
        idleTimeout,
      );
    };
    try {
      arm();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        arm();
        parser.push(decoder.decode(value, { stream: true }));
      }
      parser.push(decoder.decode());
      parser.end();
    } finally {
      clearTimeout(idle);
      reader.releaseLock();
    }
  }
}

function withQuery(url: string, name: string, value: string | null): string {
  if (!value) return url;
  const parsed = new URL(url);
  parsed.searchParams.set(name, value);
  return parsed.toString();
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
