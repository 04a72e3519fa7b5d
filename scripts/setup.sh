#!/usr/bin/env bash
# Installs what wirewatch's tests and tools need on a fresh Debian machine (idempotent, quick when done).
#   Debian: tshark/capinfos (accuracy peers), tcpdump/tcpreplay, chromium (HTML report checks), libpcap-dev (live capture),
#           nats-server, influxdb 1.x, victoria-metrics (real servers for the pipeline tests when no Docker engine answers),
#           faketime (steps one process's wall clock: tests/faults/clock-jump.test.ts),
#           docker-compose (validates the compose files offline; without its recommended docker.io, which could start an
#           engine the tests would then try to pull images from)
#   npm:    pnpm 10, then the workspace from the lockfile
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(tshark wireshark-common tcpdump tcpreplay chromium libpcap-dev nats-server influxdb victoria-metrics iproute2 faketime)
no_recommends=(docker-compose)
missing=()
missing_bare=()
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for p in "${apt_packages[@]}"; do installed "$p" || missing+=("$p"); done
for p in "${no_recommends[@]}"; do installed "$p" || missing_bare+=("$p"); done
if [ $((${#missing[@]} + ${#missing_bare[@]})) -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]} ${missing_bare[*]}"
  $sudo apt-get update -qq
  [ ${#missing[@]} -eq 0 ] || $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  [ ${#missing_bare[@]} -eq 0 ] || $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing_bare[@]}" >/dev/null
fi

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version | cut -d. -f1)" != "10" ]; then
  echo "setup: installing pnpm 10"
  npm install -g pnpm@10 >/dev/null
fi
pnpm install --frozen-lockfile
# The CLI bundle (packages/cli/dist/wirewatch.mjs); `pnpm wirewatch` and the tests rebuild it when its sources change.
pnpm build
