#!/usr/bin/env bash
# Builds the Kubernetes peers for packages/k8s tests and benchmarks, cached in ~/.cache/fathom-ci:
#   kube-apiserver, kube-controller-manager, kubectl  (k8s.io/kubernetes, from the Go module proxy)
#   etcd                                              Debian's etcd-server (3.4; the API server accepts it)
# A throwaway Go module outside the repo requires k8s.io/kubernetes and replaces every k8s.io/*
# staging module (v0.0.0 in its go.mod) with the matching v0.<minor>.<patch> release. Idempotent.
# Nothing is started here: tests start etcd + apiserver on ephemeral loopback ports
# (packages/k8s/src/testing/cluster.ts).
set -euo pipefail
K8S_VERSION=${FATHOM_K8S_VERSION:-v1.37.2}
CACHE=${FATHOM_CI_CACHE:-$HOME/.cache/fathom-ci}
OUT="$CACHE/kubernetes-$K8S_VERSION"
BINS=(kube-apiserver kube-controller-manager kubectl)

if ! command -v etcd >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  # The package must not start its own etcd service.
  [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; }
  apt-get update -q && apt-get install -y -q --no-install-recommends etcd-server
fi

have_all() { for b in "${BINS[@]}"; do [ -x "$OUT/$b" ] || return 1; done; }
if have_all; then echo "k8s peers: cached in $OUT"; exit 0; fi
command -v go >/dev/null || { echo "k8s peers: no Go toolchain"; exit 1; }

STAGING_VERSION="v0.${K8S_VERSION#v1.}"
WORK="$CACHE/build-kubernetes-$K8S_VERSION"
mkdir -p "$WORK" "$OUT"
cd "$WORK"
cat > go.mod <<MOD
module fathom.local/k8speers

go 1.26.0
MOD
cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
export GOFLAGS=-mod=mod
go mod download "k8s.io/kubernetes@$K8S_VERSION"
KMOD=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
go mod edit -require="k8s.io/kubernetes@$K8S_VERSION"
for m in $(grep -E '^\s+k8s\.io/[a-z0-9-]+ v0\.0\.0$' "$KMOD" | awk '{print $1}'); do
  go mod edit -replace="$m=$m@$STAGING_VERSION"
done
go mod tidy -e >/dev/null 2>&1 || true
echo "k8s peers: building $K8S_VERSION (one-time, slow on few cores)"
P=${FATHOM_GO_BUILD_P:-2}
nice -n 10 go build -p "$P" -trimpath -ldflags='-s -w' -o "$OUT/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl
have_all && echo "k8s peers: built $(ls "$OUT")"
