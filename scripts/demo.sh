#!/usr/bin/env bash
# The main job on a fresh machine: install what the demo drives (Debian packages, npm packages;
# the control plane is built from Go on first use), then run it. Needs root for the pods'
# loopback addresses, as the test bed's node adds them with `ip addr add`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-system-deps.sh
npm ci --no-audit --no-fund
npm run demo
