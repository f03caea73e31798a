import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync, writeFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { NOOP_LOGGER, untilAborted } from '@fathom/kit';
import { tempDir, waitFor } from '@fathom/testkit';
import { DiskSpool, Forwarder, HttpSink } from '../src/index.js';
import type { SendResult, Sink } from '../src/index.js';

const bytes = (s: string): Uint8Array => Buffer.from(s);
const text = (b: Uint8Array | undefined): string => Buffer.from(b ?? new Uint8Array()).toString();

test('spool: FIFO across restarts', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const a = new DiskSpool(dir.path, 1 << 20);
  a.push(bytes('one'));
  a.push(bytes('two'));
  const b = new DiskSpool(dir.path, 1 << 20);
  const first = b.peek();
  assert.equal(text(first?.payload), 'one');
  b.remove(first?.seq ?? -1);
  b.push(bytes('three'));
  const order: string[] = [];
  for (let e = b.peek(); e; e = b.peek()) {
    order.push(text(e.payload));
    b.remove(e.seq);
  }
  assert.deepEqual(order, ['two', 'three']);
  assert.equal(b.stats().bytes, 0);
});

test('spool: past the bound the oldest batches are dropped and counted', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const s = new DiskSpool(dir.path, 100);
  for (let i = 0; i < 10; i++) s.push(Buffer.alloc(30, i));
  const st = s.stats();
  assert.ok(st.bytes <= 100, `spool holds ${st.bytes} bytes`);
  assert.equal(st.batches + st.droppedBatches, 10);
  assert.ok(st.droppedBatches >= 7);
  assert.equal(s.peek()?.payload[0], 10 - st.batches, 'the newest batches survive');
  s.push(Buffer.alloc(500));
  assert.equal(s.stats().droppedBatches, st.droppedBatches + st.batches + 1, 'a batch larger than the bound is dropped too');
});

test('spool: corrupt or truncated files are set aside and counted, the rest is delivered', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const s = new DiskSpool(dir.path, 1 << 20);
  s.push(bytes('aaaa'));
  s.push(bytes('bbbb'));
  s.push(bytes('cccc'));
  const files = readdirSync(dir.path).filter((f) => f.endsWith('.batch')).sort();
  const flip = join(dir.path, files[0] ?? '');
  const buf = readFileSync(flip);
  buf[buf.length - 1] = 0x7a;
  writeFileSync(flip, buf);
  truncateSync(join(dir.path, files[1] ?? ''), 6);
  writeFileSync(join(dir.path, 'half-written.tmp'), 'x');
  const reopened = new DiskSpool(dir.path, 1 << 20);
  assert.equal(text(reopened.peek()?.payload), 'cccc');
  assert.equal(reopened.stats().corruptBatches, 2);
  assert.deepEqual(readdirSync(join(dir.path, 'corrupt')).length, 2, 'kept for inspection, not deleted');
  assert.ok(!readdirSync(dir.path).includes('half-written.tmp'));
});

/** A sink that fails while `down` is true and records what it delivered. */
class FlakySink implements Sink {
  down = false;
  refuse = new Set<string>();
  delivered: string[] = [];
  send(payload: Uint8Array): Promise<SendResult> {
    if (this.down) return Promise.resolve({ status: 'retryable', error: 'connection refused' });
    if (this.refuse.has(text(payload))) return Promise.resolve({ status: 'failure', error: 'HTTP 400' });
    this.delivered.push(text(payload));
    return Promise.resolve({ status: 'success' });
  }
}

const backoff = { initialMs: 5, maxMs: 20, multiplier: 2, jitter: 0 };

test('forwarder: an outage loses nothing and keeps order; refused batches are dropped and counted', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const sink = new FlakySink();
  const f = new Forwarder({ sink, spool: new DiskSpool(dir.path, 1 << 20), logger: NOOP_LOGGER, memoryBatches: 2, sendTimeoutMs: 1000, backoff });
  const ac = new AbortController();
  const running = f.run(ac.signal);
  f.submit(bytes('b1'));
  await waitFor('b1', () => Promise.resolve(sink.delivered.length === 1 || undefined), 2000, 5);
  sink.down = true;
  for (let i = 2; i <= 8; i++) f.submit(bytes(`b${i}`));
  await waitFor('spooling', () => Promise.resolve(f.stats().spool.batches >= 7 || undefined), 2000, 5);
  assert.equal(f.stats().memoryBatches, 0, 'while the server is down, batches go straight to disk');
  sink.refuse.add('b5');
  sink.down = false;
  await waitFor('replay', () => Promise.resolve(sink.delivered.length === 7 || undefined), 3000, 5);
  assert.deepEqual(sink.delivered, ['b1', 'b2', 'b3', 'b4', 'b6', 'b7', 'b8']);
  const st = f.stats();
  assert.equal(st.refusedBatches, 1);
  assert.ok(st.sendFailures >= 1);
  assert.equal(st.spool.batches, 0);
  ac.abort();
  await running;
});

test('forwarder: batches still in memory at shutdown are spooled and sent by the next run', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const sink = new FlakySink();
  sink.down = true;
  const f1 = new Forwarder({ sink, spool: new DiskSpool(dir.path, 1 << 20), logger: NOOP_LOGGER, memoryBatches: 10, sendTimeoutMs: 1000, backoff });
  const ac = new AbortController();
  f1.submit(bytes('x1'));
  f1.submit(bytes('x2'));
  ac.abort();
  await f1.run(ac.signal);
  sink.down = false;
  const f2 = new Forwarder({ sink, spool: new DiskSpool(dir.path, 1 << 20), logger: NOOP_LOGGER, memoryBatches: 10, sendTimeoutMs: 1000, backoff });
  const ac2 = new AbortController();
  const running = f2.run(ac2.signal);
  f2.submit(bytes('x3'));
  await waitFor('all three', () => Promise.resolve(sink.delivered.length === 3 || undefined), 2000, 5);
  assert.deepEqual(sink.delivered, ['x1', 'x2', 'x3']);
  ac2.abort();
  await running;
});

test('http sink against a real HTTP server: success, retryable with Retry-After, refused, unreachable', async (t) => {
  const responses: [number, Record<string, string>][] = [[200, {}], [503, { 'retry-after': '2' }], [400, {}], [429, {}]];
  const seen: { encoding: string | undefined; type: string | undefined; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ encoding: req.headers['content-encoding'], type: req.headers['content-type'], body });
      const [status, headers] = responses.shift() ?? [500, {}];
      res.writeHead(status, headers).end('{"status":"error","error":"nope"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const sink = new HttpSink(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  assert.deepEqual(await sink.send(bytes('p'), { timeoutMs: 2000 }), { status: 'success' });
  const retry = await sink.send(bytes('p'), { timeoutMs: 2000 });
  assert.equal(retry.status, 'retryable');
  assert.equal(retry.status === 'retryable' ? retry.retryAfterMs : 0, 2000);
  const refused = await sink.send(bytes('p'), { timeoutMs: 2000 });
  assert.equal(refused.status, 'failure');
  assert.match(refused.status === 'failure' ? refused.error : '', /HTTP 400/);
  assert.equal((await sink.send(bytes('p'), { timeoutMs: 2000 })).status, 'retryable', '429 is retryable');
  assert.deepEqual(seen[0], { encoding: 'gzip', type: 'application/vnd.fathom.batch.v1+json', body: 'p' });

  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const down = await new HttpSink(`http://127.0.0.1:${port}`).send(bytes('p'), { timeoutMs: 2000 });
  assert.equal(down.status, 'retryable');
  assert.match(down.status === 'retryable' ? down.error : '', /ECONNREFUSED/);
});

test('http sink: a server that never answers times out as retryable', async (t) => {
  const server = createServer(() => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  const ac = new AbortController();
  void untilAborted(ac.signal);
  const r = await new HttpSink(`http://127.0.0.1:${(server.address() as AddressInfo).port}`).send(bytes('p'), { timeoutMs: 200 });
  assert.equal(r.status, 'retryable');
  ac.abort();
});
