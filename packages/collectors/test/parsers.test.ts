import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDiskstats, parseMeminfo, parseMounts, parseNetDev, parsePidIo, parsePidStat, parseProcStat } from '../src/index.js';

test('meminfo follows node-exporter naming', () => {
  const m = parseMeminfo('MemTotal:       16384 kB\nActive(anon):     100 kB\nHugePages_Total:       0\nbroken line\n');
  assert.deepEqual([...m], [['MemTotal_bytes', 16384 * 1024], ['Active_anon_bytes', 102400], ['HugePages_Total', 0]]);
});

test('/proc/stat: cpu ticks become seconds; aggregate line and junk are ignored', () => {
  const s = parseProcStat('cpu  1 2 3 4 5 6 7 8 9 10\ncpu0 100 200 300 400 500 600 700 800 900 1000\nctxt 42\nbtime 1700000000\nprocs_running 3\n');
  assert.equal(s.cpus.length, 1);
  assert.deepEqual(s.cpus[0]?.seconds, { user: 1, nice: 2, system: 3, idle: 4, iowait: 5, irq: 6, softirq: 7, steal: 8 });
  assert.equal(s.cpus[0]?.guestSeconds, 9);
  assert.equal(s.contextSwitches, 42);
  assert.equal(s.bootTimeSeconds, 1700000000);
  assert.equal(s.procsRunning, 3);
});

test('diskstats: sectors are 512 bytes, times are seconds', () => {
  const [d] = parseDiskstats(' 254 0 vda 10 1 8 500 20 2 16 1500 0 2000 2500 0 0 0 0');
  assert.equal(d?.readBytes, 4096);
  assert.equal(d?.writtenBytes, 8192);
  assert.equal(d?.readTimeSeconds, 0.5);
  assert.equal(d?.ioTimeWeightedSeconds, 2.5);
});

test('net/dev: interface names with colons in the header are handled', () => {
  const text = 'h1\nh2\n  eth0: 10 1 0 0 0 0 0 0 20 2 0 0 0 0 0 0\nbroken\n';
  assert.deepEqual(parseNetDev(text).map((d) => [d.device, d.receiveBytes, d.transmitPackets]), [['eth0', 10, 2]]);
});

test('mounts: pseudo filesystems and docker internals are excluded, escapes decoded', () => {
  const text = [
    '/dev/vda / ext4 rw,relatime 0 0',
    'proc /proc proc rw 0 0',
    'overlay /var/lib/docker/overlay2/x/merged overlay rw 0 0',
    '/dev/vdb /mnt/my\\040disk ext4 ro 0 0',
  ].join('\n');
  assert.deepEqual(parseMounts(text), [
    { device: '/dev/vda', mountpoint: '/', fstype: 'ext4', readonly: false },
    { device: '/dev/vdb', mountpoint: '/mnt/my disk', fstype: 'ext4', readonly: true },
  ]);
});

test('pid stat: a command name with spaces and parentheses', () => {
  const text = '42 (my (odd) cmd) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 12345 1048576 256 18446744073709551615';
  const s = parsePidStat(text);
  assert.equal(s?.comm, 'my (odd) cmd');
  assert.equal(s?.ppid, 1);
  assert.equal(s?.utimeTicks, 250);
  assert.equal(s?.stimeTicks, 50);
  assert.equal(s?.threads, 3);
  assert.equal(s?.startTicks, 12345);
  assert.equal(s?.rssPages, 256);
  assert.equal(parsePidStat('garbage'), undefined);
  assert.equal(parsePidStat('1 (x) S 1 2'), undefined, 'truncated stat');
});

test('pid io', () => {
  assert.deepEqual(parsePidIo('rchar: 1\nwchar: 2\nread_bytes: 3\nwrite_bytes: 4\n'), { readBytes: 3, writeBytes: 4, rchar: 1, wchar: 2 });
  assert.equal(parsePidIo('rchar: 1\n'), undefined);
});
