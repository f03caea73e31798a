#!/usr/bin/env bash
# Browser for the web UI's end-to-end tests and bench: Debian's chromium (playwright-core drives
# it; the browser cannot be downloaded). Idempotent.
set -euo pipefail
if command -v chromium >/dev/null; then echo "web peers: $(chromium --version 2>/dev/null | head -n1)"; exit 0; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
echo "web peers: $(chromium --version 2>/dev/null | head -n1)"
