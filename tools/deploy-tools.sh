#!/usr/bin/env bash
# Builds the programs the deployment checks need, from the Go module proxy, into .rstat/tools when they
# are missing: kustomize (builds the k8s/ overlays) and kubeconform (validates every built object against the
# vendored Kubernetes and CRD JSON schemas) and hclfmt (terraform/'s layout). Idempotent: a second run
# only says that they are there.
# Go's module and build caches live under .rstat/ too, so a fresh clone needs nothing but Go itself.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tools="${root}/.rstat/tools"
KUSTOMIZE_VERSION=v5.8.2
KUBECONFORM_VERSION=v0.8.0
HCLFMT_VERSION=v2.24.0

export GOBIN="${tools}"
export GOPATH="${root}/.rstat/go"
export GOCACHE="${root}/.rstat/go/cache"
export GOFLAGS="-mod=mod -buildvcs=false"
export CGO_ENABLED=0
mkdir -p "${tools}"

if ! command -v go >/dev/null 2>&1; then
  echo "deploy-tools: Go is missing (https://go.dev/dl or apt-get install golang); kustomize and kubeconform are built with it" >&2
  exit 1
fi

build() {  # build NAME MODULE@VERSION VERSION
  local name=$1 module=$2 version=$3 stamp="${tools}/.${1}.version"
  if [ -x "${tools}/${name}" ] && [ "$(cat "${stamp}" 2>/dev/null)" = "${version}" ]; then
    echo "deploy-tools: ${name} ${version} already in .rstat/tools"
    return
  fi
  echo "deploy-tools: building ${name} ${version} from the Go module proxy into .rstat/tools"
  local started=${SECONDS}
  go install "${module}@${version}"
  echo "${version}" >"${stamp}"
  echo "deploy-tools: ${name} ${version} built in $((SECONDS - started)) s"
}

build kustomize sigs.k8s.io/kustomize/kustomize/v5 "${KUSTOMIZE_VERSION}"
build kubeconform github.com/yannh/kubeconform/cmd/kubeconform "${KUBECONFORM_VERSION}"
# HCL's own formatter, the canonical layout `terraform fmt` applies (terraform itself does not build from the
# module proxy: its go.mod replaces modules by folders the module's zip leaves out)
build hclfmt github.com/hashicorp/hcl/v2/cmd/hclfmt "${HCLFMT_VERSION}"
