#!/usr/bin/env bash
# Peers of the TSDB work (issue 3). Idempotent; needs root.
#   - Debian's prometheus and victoria-metrics: the engines `npm run bench:tsdb` compares against
#     (the bench is not part of npm test). Installed without starting their services.
#   - mount(8) for the disk-full test's own 1 MiB tmpfs (util-linux, present on Debian).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
missing=()
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v victoria-metrics >/dev/null 2>&1 || missing+=(victoria-metrics)
if [ ${#missing[@]} -gt 0 ]; then
  [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; }
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
command -v mount >/dev/null 2>&1 || { echo "peers/tsdb: mount(8) is missing" >&2; exit 1; }
echo "peers/tsdb: $(prometheus --version 2>&1 | head -n1); victoria-metrics $(dpkg-query -W -f '${Version}' victoria-metrics)"
