#!/usr/bin/env bash
# Records the cgroup v1 + /proc fixture from a live host running one Docker container named "burn"
# (docker run -d --name burn --memory 64m fathom-busybox sh -c 'while :; do :; done').
# Only the files the collectors read are copied; values are real.
set -euo pipefail
out=${1:-$(dirname "$0")/v1}
id=$(docker inspect -f '{{.Id}}' burn)
pid=$(docker inspect -f '{{.State.Pid}}' burn)
rm -rf "$out"; mkdir -p "$out/proc/net" "$out/sys/fs/cgroup"
for f in stat meminfo loadavg diskstats mounts; do cat /proc/$f > "$out/proc/$f"; done
cat /proc/net/dev > "$out/proc/net/dev"
sed -i "/sandboxing/d" "$out/proc/mounts"  # drop this workplace's private mounts
copy_pid() { # pid -> fixture pid dir with stat, io, cgroup, fd entries, net/dev and ns/net link
  local p=$1 d="$out/proc/$1"; mkdir -p "$d/fd" "$d/net" "$d/ns"
  cat /proc/$p/stat > "$d/stat"; cat /proc/$p/io > "$d/io" 2>/dev/null || rm -f "$d/io"; cat /proc/$p/cgroup > "$d/cgroup"
  cat /proc/$p/net/dev > "$d/net/dev"; l=$(readlink /proc/$p/ns/net || true); [ -n "$l" ] && ln -s "$l" "$d/ns/net"
  for fd in $(ls /proc/$p/fd); do touch "$d/fd/$fd"; done
}
copy_pid "$pid"; copy_pid $$; ln -s $$ "$out/proc/self"
for c in cpu cpuacct memory blkio; do
  src=/sys/fs/cgroup/$c/docker/$id; dst="$out/sys/fs/cgroup/$c/docker/$id"; mkdir -p "$dst"
  for f in cpuacct.usage cpuacct.stat cpu.stat cpu.cfs_quota_us cpu.cfs_period_us cpu.shares memory.usage_in_bytes \
           memory.stat memory.limit_in_bytes memory.failcnt memory.max_usage_in_bytes blkio.throttle.io_service_bytes \
           blkio.throttle.io_serviced cgroup.procs; do
    [ -f "$src/$f" ] && cat "$src/$f" > "$dst/$f" || true
  done
done
mkdir -p "$out/sys/fs/cgroup/memory/system.slice/cron.service"   # a non-container cgroup
echo "$id" > "$out/container-id"; echo "$pid" > "$out/container-pid"
