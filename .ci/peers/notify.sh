#!/usr/bin/env bash
# Peers of the notification work (issue 7, notify). Idempotent; needs root.
#   - Debian's prometheus-alertmanager: the real receiver of the `alertmanager` channel. The package
#     must not start its own service; the test starts it on a free loopback port in a temp dir.
#   The SMTP peer is the npm `smtp-server` package (a devDependency of packages/notify), nothing to install.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! command -v prometheus-alertmanager >/dev/null 2>&1; then
  [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; }
  apt-get install -y -q --no-install-recommends prometheus-alertmanager \
    || { apt-get update -q && apt-get install -y -q --no-install-recommends prometheus-alertmanager; }
fi
echo "peers/notify: $(prometheus-alertmanager --version 2>&1 | head -n1)"
