import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerFromCgroupPath, containerFromProcCgroup } from '../src/index.js';

const ID = 'a'.repeat(64);
const UID = '1f5b6a3c-2d4e-4f6a-8b9c-0d1e2f3a4b5c';

const cases: [string, string, object | undefined][] = [
  ['docker cgroupfs', `/docker/${ID}`, { id: ID, runtime: 'docker' }],
  ['docker systemd', `/system.slice/docker-${ID}.scope`, { id: ID, runtime: 'docker' }],
  ['kubepods cgroupfs', `/kubepods/burstable/pod${UID}/${ID}`, { id: ID, runtime: 'unknown', podUid: UID }],
  ['kubepods besteffort', `/kubepods/besteffort/pod${UID}/${ID}`, { id: ID, runtime: 'unknown', podUid: UID }],
  ['kubepods guaranteed', `/kubepods/pod${UID}/${ID}`, { id: ID, runtime: 'unknown', podUid: UID }],
  [
    'containerd systemd',
    `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID.replace(/-/g, '_')}.slice/cri-containerd-${ID}.scope`,
    { id: ID, runtime: 'containerd', podUid: UID },
  ],
  ['containerd guaranteed systemd', `/kubepods.slice/kubepods-pod${UID.replace(/-/g, '_')}.slice/cri-containerd-${ID}.scope`, { id: ID, runtime: 'containerd', podUid: UID }],
  ['crio systemd', `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID.replace(/-/g, '_')}.slice/crio-${ID}.scope`, { id: ID, runtime: 'crio', podUid: UID }],
  ['crio cgroupfs', `/kubepods/burstable/pod${UID}/crio-${ID}`, { id: ID, runtime: 'crio', podUid: UID }],
  ['podman systemd', `/machine.slice/libpod-${ID}.scope`, { id: ID, runtime: 'podman' }],
  ['podman cgroupfs', `/libpod_parent/libpod-${ID}`, { id: ID, runtime: 'podman' }],
  ['nested cgroup inside a container', `/system.slice/docker-${ID}.scope/init.scope`, { id: ID, runtime: 'docker' }],
  ['crio conmon is not a container', `/kubepods.slice/crio-conmon-${ID}.scope`, undefined],
  ['podman conmon is not a container', `/machine.slice/libpod-conmon-${ID}.scope`, undefined],
  ['a service', '/system.slice/cron.service', undefined],
  ['short hex', '/docker/abc123', undefined],
  ['root', '/', undefined],
];

for (const [name, path, want] of cases) {
  test(`cgroup path: ${name}`, () => assert.deepEqual(containerFromCgroupPath(path), want));
}

test('proc cgroup file: v1 lines and the v2 line', () => {
  assert.equal(containerFromProcCgroup(`12:memory:/docker/${ID}\n0::/docker/${ID}\n`)?.id, ID);
  assert.equal(containerFromProcCgroup(`0::/system.slice/docker-${ID}.scope\n`)?.runtime, 'docker');
  assert.equal(containerFromProcCgroup('0::/user.slice/session-1.scope\n'), undefined);
});
