#!/usr/bin/env bash
# Builds the Kubernetes peers for packages/k8s tests and benchmarks, cached in ~/.cache/fathom-ci:
#   kube-apiserver, kube-controller-manager, kubectl  (k8s.io/kubernetes, from the Go module proxy)
#   etcd                                              (go.etcd.io/etcd/server/v3/etcdmain, same way)
# A throwaway Go module outside the repo requires k8s.io/kubernetes and replaces every k8s.io/*
# staging module (v0.0.0 in its go.mod) with the matching v0.<minor>.<patch> release. Idempotent.
# Nothing is started here: tests start etcd + apiserver on ephemeral loopback ports
# (packages/k8s/src/testing/cluster.ts).
set -euo pipefail
K8S_VERSION=${FATHOM_K8S_VERSION:-v1.37.2}
CACHE=${FATHOM_CI_CACHE:-$HOME/.cache/fathom-ci}
OUT="$CACHE/kubernetes-$K8S_VERSION"
BINS=(kube-apiserver kube-controller-manager kubectl etcd)

have_all() { for b in "${BINS[@]}"; do [ -x "$OUT/$b" ] || return 1; done; }
if have_all; then echo "k8s peers: cached in $OUT"; exit 0; fi
command -v go >/dev/null || { echo "k8s peers: no Go toolchain"; exit 1; }

STAGING_VERSION="v0.${K8S_VERSION#v1.}"
WORK="$CACHE/build-kubernetes-$K8S_VERSION"
mkdir -p "$WORK/etcd" "$OUT"
cd "$WORK"
cat > go.mod <<MOD
module fathom.local/k8speers

go 1.26.0
MOD
# A tiny main for etcd: the server's own entry point, built against the same module graph.
cat > etcd/main.go <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
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
go get "go.etcd.io/etcd/server/v3/etcdmain" >/dev/null 2>&1 || true
echo "k8s peers: building $K8S_VERSION (one-time, slow on few cores)"
P=${FATHOM_GO_BUILD_P:-2}
nice -n 10 go build -p "$P" -trimpath -ldflags='-s -w' -o "$OUT/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl
nice -n 10 go build -p "$P" -trimpath -ldflags='-s -w' -o "$OUT/etcd" ./etcd
have_all && echo "k8s peers: built $(ls "$OUT")"
