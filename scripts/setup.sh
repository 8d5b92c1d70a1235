#!/usr/bin/env bash
# Sets up a fresh Debian machine for this project: system tools the tests and the
# daemon use, pnpm, the workspace's dependencies (zstd-napi is compiled here), and
# a build of every package. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v zstd >/dev/null || need_apt+=(zstd)
command -v ip >/dev/null || need_apt+=(iproute2)
command -v ss >/dev/null || need_apt+=(iproute2)
command -v capsh >/dev/null || need_apt+=(libcap2-bin)
command -v setpriv >/dev/null || need_apt+=(util-linux)
command -v make >/dev/null || need_apt+=(make)
command -v g++ >/dev/null || need_apt+=(g++)
command -v python3 >/dev/null || need_apt+=(python3)
# Headless browser for the tcpinfo-view report tests (playwright-core drives it).
command -v chromium >/dev/null || need_apt+=(chromium)
if [ "${#need_apt[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "setup: please install: ${need_apt[*]} (apt-get install needs root)" >&2
    exit 1
  fi
fi

if ! command -v pnpm >/dev/null || ! pnpm --version | grep -q '^10\.'; then
  npm install -g pnpm@10 --silent
fi

pnpm install --frozen-lockfile
pnpm build
