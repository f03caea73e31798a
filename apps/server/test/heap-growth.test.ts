/**
 * server.heapGrowthPercent set at run time moves V8's old-generation limit: in a child process
 * holding ~40 MB live and promoting garbage steadily, the heap peaks near twice the live size at
 * 100 % and near it at 10 % (V8 reads the flag when it recomputes the limit after a major GC).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { serverConfigSchema } from '@fathom/config';

const MODULE = new URL('../src/heap-growth.js', import.meta.url).href;

/** Peak used heap (MB) over a churn that promotes ~1 GB of garbage, with `percent` applied. */
function peakHeapMb(percent: number): number {
  const script = `
    import { getHeapStatistics } from 'node:v8';
    const { applyHeapGrowth } = await import(${JSON.stringify(MODULE)});
    applyHeapGrowth(${percent});
    const live = Array.from({ length: 400_000 }, (_, i) => ({ i, s: 'x' + i, a: [i, i + 1] }));
    globalThis.gc();
    // a ring of 400,000 objects (~100 MB): each lives through several scavenges, so it is promoted and dies old
    const ring = new Array(400_000);
    let peak = 0;
    for (let k = 0; k < 4_000_000; k++) {
      ring[k % ring.length] = { k, pad: [k, k, k, k, k, k, k, k] };
      if (k % 1000 === 0) peak = Math.max(peak, getHeapStatistics().used_heap_size);
    }
    process.stdout.write(String(peak / 2 ** 20) + ' ' + String(live.length));
  `;
  const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
  return Number(out.split(' ')[0]);
}

test('heap growth: 100 % lets the old generation grow far past where 10 % collects it', () => {
  const at10 = peakHeapMb(10);
  const at100 = peakHeapMb(100);
  assert.ok(at100 > at10 * 1.3, `peak heap at 100 % ${at100.toFixed(0)} MB, at 10 % ${at10.toFixed(0)} MB`);
});

test('heap growth: default 100, 0 allowed (V8 decides), negatives, fractions and factors past 4 refused', () => {
  assert.equal(serverConfigSchema.parse({}).heapGrowthPercent, 100);
  assert.equal(serverConfigSchema.parse({ heapGrowthPercent: 0 }).heapGrowthPercent, 0);
  assert.throws(() => serverConfigSchema.parse({ heapGrowthPercent: -1 }));
  assert.throws(() => serverConfigSchema.parse({ heapGrowthPercent: 1.5 }));
  assert.throws(() => serverConfigSchema.parse({ heapGrowthPercent: 301 }));
});
