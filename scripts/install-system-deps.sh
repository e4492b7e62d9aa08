#!/usr/bin/env bash
# The Debian packages the tests and the demo drive for real: named and its tools, dig, promtool,
# yamllint, ip, and the test bed's node (containerd, runc, CNI plugins, iptables, conntrack, socat
# for the kubelet and kube-proxy; buildah and debootstrap to build the images, as nothing is
# pulled). Skipped when all are present. Needs root (or sudo).
set -euo pipefail
packages=(bind9 bind9-dnsutils prometheus yamllint iproute2
  containerd runc containernetworking-plugins iptables conntrack socat buildah debootstrap)
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
# The bed runs its own containerd (own config, socket, root and state under its run dir); a system
# containerd the package may start is neither used nor touched.
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
