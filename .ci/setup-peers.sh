#!/usr/bin/env bash
# Installs and starts every real peer the tests and benchmarks use. Idempotent; needs root.
#   - Docker Engine (Debian's docker.io), started with no bridge and no iptables rules, so no
#     container network touches a private address range (tests use --network none or host);
#   - a local busybox image built from Debian's busybox-static with `docker import` (no registry);
#   - promtool (Debian's prometheus) and prometheus-node-exporter (reference for names and for
#     the agent benchmark).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
IMAGE=fathom-busybox:latest
LOG_DIR=${FATHOM_CI_CACHE:-$HOME/.cache/fathom-ci}
mkdir -p "$LOG_DIR"

missing=()
for pair in dockerd:docker.io busybox:busybox-static promtool:prometheus prometheus-node-exporter:prometheus-node-exporter; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
done
if ((${#missing[@]})); then
  echo "setup-peers: installing ${missing[*]}"
  # Packages must not start their services (prometheus, node-exporter) on their own.
  [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; }
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

docker_ok() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
if ! docker_ok; then
  echo "setup-peers: starting dockerd (--bridge=none --iptables=false)"
  nohup dockerd --bridge=none --iptables=false --ip6tables=false >"$LOG_DIR/dockerd.log" 2>&1 &
  for _ in $(seq 1 60); do docker_ok && break; sleep 0.5; done
  docker_ok || { echo "setup-peers: dockerd did not start; its log:"; tail -n 30 "$LOG_DIR/dockerd.log"; exit 1; }
fi

if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "setup-peers: building $IMAGE from busybox-static"
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/tmp"
  cp "$(command -v busybox)" "$root/bin/busybox"
  for applet in sh sleep cat ls echo dd yes true; do ln -s busybox "$root/bin/$applet"; done
  tar -C "$root" -c . | docker import -c 'CMD ["/bin/sh"]' - "$IMAGE" >/dev/null
  rm -rf "$root"
fi
echo "setup-peers: docker $(docker version --format '{{.Server.Version}}'), image $IMAGE, $(promtool --version 2>&1 | head -n1)"
bash "$(dirname "$0")/peers/k8s.sh"
bash "$(dirname "$0")/peers/promql.sh"
bash "$(dirname "$0")/peers/tsdb.sh"
bash "$(dirname "$0")/peers/web.sh"
bash "$(dirname "$0")/peers/notify.sh"
