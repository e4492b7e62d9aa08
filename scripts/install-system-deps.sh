#!/usr/bin/env bash
# The Debian packages the tests and the demo drive for real: named and its tools, dig, promtool,
# yamllint, ip. Skipped when all are present. Needs root (or sudo).
set -euo pipefail
packages=(bind9 bind9-dnsutils prometheus yamllint iproute2)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "all present: ${packages[*]}"
  exit 0
fi
sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
"${sudo[@]}" apt-get update
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
