#!/usr/bin/env bash
# Installs what wirewatch's tests and tools need on a fresh Debian machine (idempotent, quick when done).
#   Debian: tshark/capinfos (accuracy peers), tcpdump/tcpreplay, chromium (HTML report checks), libpcap-dev (live capture),
#           nats-server, influxdb 1.x, victoria-metrics (real servers for the pipeline tests when no Docker engine answers)
#   npm:    pnpm 10, then the workspace from the lockfile
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(tshark wireshark-common tcpdump tcpreplay chromium libpcap-dev nats-server influxdb victoria-metrics iproute2 docker-compose)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version | cut -d. -f1)" != "10" ]; then
  echo "setup: installing pnpm 10"
  npm install -g pnpm@10 >/dev/null
fi
pnpm install --frozen-lockfile
