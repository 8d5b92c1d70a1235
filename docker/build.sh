#!/usr/bin/env bash
# The build stage of docker/Dockerfile, and what CI runs in its place (no Docker
# engine there): install, build, and deploy tcp-info and the example sidecar with
# production dependencies only (zstd-napi is compiled here, in the build stage).
# usage: docker/build.sh OUT_DIR      -> OUT_DIR/tcp-info, OUT_DIR/example-sidecar
set -euo pipefail
out=${1:?usage: docker/build.sh OUT_DIR}
cd "$(dirname "$0")/.."
pnpm install --frozen-lockfile
pnpm build
rm -rf "$out/tcp-info" "$out/example-sidecar" "$out/tcpinfo-csv"
pnpm --filter tcp-info deploy --legacy --prod "$out/tcp-info"
pnpm --filter @tcpinfo/example-sidecar deploy --legacy --prod "$out/example-sidecar"
pnpm --filter tcpinfo-csv deploy --legacy --prod "$out/tcpinfo-csv"
# The deployed trees must run on their own.
node "$out/tcp-info/dist/bin.js" --help > /dev/null
node -e "require('$out/tcp-info/node_modules/@tcpinfo/saver')" 2>/dev/null || node --input-type=module -e "await import('$out/tcp-info/node_modules/@tcpinfo/saver/dist/index.js')"
node "$out/tcpinfo-csv/dist/bin.js" --help > /dev/null
echo "docker/build.sh: deployed to $out"
