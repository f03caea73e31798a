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
  # The module proxy reachable here answers 403 for this module (see e2e/README.md); not fatal.
  GOPATH="$CACHE/gopath" GOBIN="$CACHE/bin" GOFLAGS=-mod=mod \
    timeout 300 nice go install github.com/prometheus/compliance/promql/cmd/promql-compliance-tester@latest \
    || echo "peers/promql: promql-compliance-tester unavailable from the Go module proxy; the differential check in e2e/test/promql-reference.int.test.ts stands in"
fi
if [ -x "$TESTER" ]; then echo "peers/promql: $TESTER"; fi
true
