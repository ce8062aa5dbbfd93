// The event stream parser, fed the way a network delivers bytes: in arbitrary pieces.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SseParser, type SseMessage } from "@repo/client";

function parse(chunks: string[]): { messages: SseMessage[]; retries: number[]; parser: SseParser } {
  const messages: SseMessage[] = [];
  const retries: number[] = [];
  const parser = new SseParser((m) => messages.push(m), (ms) => retries.push(ms));
  for (const chunk of chunks) parser.push(chunk);
  return { messages, retries, parser };
}

const frame =
  "retry: 2000\n\n: heartbeat\n\nid: 5c1f03aa-17\nevent: snapshot\ndata: {\"a\":1}\n\n" +
  "id: 5c1f03aa-18\nevent: votes\ndata: {\"b\":2}\n\n";

describe("SseParser", () => {
  it("reads events, ids and retry, skipping comments", () => {
    const { messages, retries, parser } = parse([frame]);
    assert.deepEqual(retries, [2000]);
    assert.deepEqual(messages, [
      { event: "snapshot", data: '{"a":1}', lastEventId: "5c1f03aa-17" },
      { event: "votes", data: '{"b":2}', lastEventId: "5c1f03aa-18" },
    ]);
    assert.equal(parser.lastEventId, "5c1f03aa-18");
  });

  it("gives the same events whatever the chunking, and with CRLF or CR line ends", () => {
    const whole = parse([frame]).messages;
    for (const ending of ["\n", "\r\n", "\r"]) {
      const text = frame.replace(/\n/g, ending);
      for (let size = 1; size <= 7; size++) {
        const chunks: string[] = [];
        for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
        assert.deepEqual(parse(chunks).messages, whole, `ending ${JSON.stringify(ending)}, size ${size}`);
      }
    }
  });

  it("joins data lines, defaults the event name, keeps the id across events", () => {
    const { messages } = parse(["\uFEFFid: 7\ndata: one\ndata:two\n\ndata: three\n\n"]);
    assert.deepEqual(messages, [
      { event: "message", data: "one\ntwo", lastEventId: "7" },
      { event: "message", data: "three", lastEventId: "7" },
    ]);
  });

  it("drops an event the stream ended in the middle of, and ignores bad retry and NUL ids", () => {
    const { messages, retries, parser } = parse(["retry: soon\nid: a\0b\ndata: x\n\nevent: votes\ndata: cut"]);
    parser.end();
    assert.deepEqual(retries, []);
    assert.deepEqual(messages, [{ event: "message", data: "x", lastEventId: "" }]);
    parser.push("\n\n");
    assert.equal(messages.length, 1, "nothing of the cut event survives end()");
  });

  it("sets the last event id from an event without data", () => {
    const { messages, parser } = parse(["id: 42\n\n"]);
    assert.equal(messages.length, 0);
    assert.equal(parser.lastEventId, "42");
  });
});
