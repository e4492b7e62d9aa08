#!/usr/bin/env bash
# The main job on a fresh machine: install what the demo drives (Debian packages, npm packages;
# Kubernetes is built from Go and the images with debootstrap/buildah on first use), then run it.
# Needs root: the test bed's real node makes a network namespace, a veth, cgroups and mounts.
# Pass --keep to leave the cluster up: bash scripts/demo.sh --keep
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-system-deps.sh
npm ci --no-audit --no-fund
npm run demo -- "$@"
