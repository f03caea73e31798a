#!/usr/bin/env bash
# Peers of the PromQL / Prometheus API work (issue 4). Idempotent; needs root.
#   - Debian's prometheus (the reference engine and a real remote-write sender); setup-peers.sh
#     installs it for promtool already, this makes sure of it.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! command -v prometheus >/dev/null 2>&1; then
  [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; }
  apt-get update -q
  apt-get install -y -q --no-install-recommends prometheus
fi
echo "peers/promql: $(prometheus --version 2>&1 | head -n1)"

# The official PromQL compliance tester, built from the Go module proxy into the CI cache (a
# throwaway module outside the repo; nothing of it is committed).
CACHE=${FATHOM_CI_CACHE:-$HOME/.cache/fathom-ci}
TESTER="$CACHE/bin/promql-compliance-tester"
if [ ! -x "$TESTER" ] && command -v go >/dev/null 2>&1; then
  echo "peers/promql: building promql-compliance-tester (go $(go env GOVERSION))"
  mkdir -p "$CACHE/bin" "$CACHE/gopath"
  GOPATH="$CACHE/gopath" GOBIN="$CACHE/bin" GOFLAGS=-mod=mod \
    nice go install github.com/prometheus/compliance/promql/cmd/promql-compliance-tester@latest
fi
[ -x "$TESTER" ] && echo "peers/promql: $TESTER"
true
