// The EventSource transport's reconnection logic, driven by a stand-in EventSource (Node has
// none; the browser tests of apps/web run the real one against the real API).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openEventStream, type EventSourceConstructor, type SseMessage, type StreamStatus } from "@repo/client";

class FakeEventSource extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static created: FakeEventSource[] = [];
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSED = 2;
  readyState = 0;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    super();
    FakeEventSource.created.push(this);
  }
  close(): void {
    this.readyState = this.CLOSED;
  }
  open(): void {
    this.readyState = this.OPEN;
    this.onopen?.();
  }
  emit(type: string, data: string, lastEventId: string): void {
    this.dispatchEvent(new MessageEvent(type, { data, lastEventId }));
  }
  fail(readyState: number): void {
    this.readyState = readyState;
    this.onerror?.();
  }
}

const until = async (what: string, probe: () => boolean) => {
  const deadline = Date.now() + 5000;
  while (!probe()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe("the EventSource transport", () => {
  it("delivers named events, lets the browser retry, and reconnects itself when it gives up", async () => {
    FakeEventSource.created = [];
    const messages: SseMessage[] = [];
    const statuses: StreamStatus[] = [];
    const errors: boolean[] = [];
    const stream = openEventStream({
      url: "http://api.theset.test/v1/shows/s/events",
      events: ["snapshot", "votes"],
      transport: "eventsource",
      EventSource: FakeEventSource as unknown as EventSourceConstructor,
      reconnect: { initialDelayMs: 10, maxDelayMs: 20 },
      onMessage: (m) => messages.push(m),
      onStatus: (s) => statuses.push(s),
      onError: (_error, willRetry) => errors.push(willRetry),
    });
    const first = FakeEventSource.created[0];
    assert.ok(first);
    assert.equal(first.url, "http://api.theset.test/v1/shows/s/events", "no id to resume from yet");
    first.open();
    first.emit("snapshot", "{}", "id-1");
    first.emit("other", "{}", "id-2"); // not asked for: not delivered
    assert.deepEqual(messages, [{ event: "snapshot", data: "{}", lastEventId: "id-1" }]);
    assert.equal(stream.lastEventId, "id-1");

    // A network error: the browser reconnects by itself (CONNECTING), no new EventSource.
    first.fail(first.CONNECTING);
    assert.equal(stream.status, "reconnecting");
    first.open();
    first.emit("votes", "{\"songs\":[]}", "id-3");

    // An HTTP error (CLOSED): the browser gave up; a new EventSource resumes after the last id.
    first.fail(first.CLOSED);
    await until("a new EventSource", () => FakeEventSource.created.length === 2);
    const second = FakeEventSource.created[1];
    assert.ok(second);
    assert.equal(second.url, "http://api.theset.test/v1/shows/s/events?last_event_id=id-3");
    second.open();
    assert.deepEqual(statuses, ["open", "reconnecting", "open", "reconnecting", "open"]);
    assert.deepEqual(errors, [true]);

    stream.close();
    assert.equal(second.readyState, second.CLOSED);
    assert.equal(stream.status, "closed");
    second.emit("votes", "{}", "id-4");
    assert.equal(messages.length, 2, "nothing after close");
  });

  it("closes without connecting again when its signal is aborted", async () => {
    FakeEventSource.created = [];
    const controller = new AbortController();
    const stream = openEventStream({
      url: "http://api.theset.test/v1/setlist-songs/x/events",
      events: ["votes"],
      EventSource: FakeEventSource as unknown as EventSourceConstructor,
      reconnect: { initialDelayMs: 10 },
      signal: controller.signal,
      onMessage: () => {},
      lastEventId: "resume-here",
    });
    const first = FakeEventSource.created[0];
    assert.equal(first?.url, "http://api.theset.test/v1/setlist-songs/x/events?last_event_id=resume-here");
    first?.fail(2);
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(FakeEventSource.created.length, 1, "the pending reconnection was cancelled");
    assert.equal(stream.status, "closed");
  });
});
