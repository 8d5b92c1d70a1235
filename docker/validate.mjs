// CI check of the deployment files (no Docker engine here): parse the YAML and
// check the fields that matter, and check the Dockerfile's stages call build.sh.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const fail = (msg) => {
  console.error(`docker/validate: ${msg}`);
  process.exit(1);
};
const flagsOf = (args) => args.map((a) => a.split('=')[0]);
const knownFlags = new Set(
  readFileSync(here('../apps/tcp-info/src/config.ts'), 'utf8')
    .match(/name: '([^']+)'/g)
    .map((m) => '-' + m.slice(7, -1)),
);

const compose = parse(readFileSync(here('compose.yaml'), 'utf8'));
const daemon = compose.services?.['tcp-info'];
const sidecar = compose.services?.['example-sidecar'];
if (!daemon || !sidecar) fail('compose.yaml needs services tcp-info and example-sidecar');
if (daemon.network_mode !== 'host') fail('tcp-info must use host networking');
for (const f of flagsOf(daemon.command)) if (!knownFlags.has(f)) fail(`compose.yaml: unknown tcp-info flag ${f}`);
const sock = daemon.command.find((a) => a.startsWith('-tcpinfo.eventsocket='))?.split('=')[1];
if (!sock || !sidecar.command.includes(`-tcpinfo.eventsocket=${sock}`)) fail('the sidecar must use the daemon\'s event socket');
const vol = (s) => s.volumes.map((v) => v.split(':')[1]);
if (!vol(sidecar).some((m) => sock.startsWith(m))) fail('the sidecar must mount the directory holding the event socket');

const ds = parse(readFileSync(here('kubernetes/daemonset.yaml'), 'utf8'));
if (ds.kind !== 'DaemonSet' || ds.apiVersion !== 'apps/v1') fail('kubernetes/daemonset.yaml must be an apps/v1 DaemonSet');
const spec = ds.spec.template.spec;
if (spec.hostNetwork !== true) fail('the DaemonSet needs hostNetwork');
const c = spec.containers[0];
for (const f of flagsOf(c.args)) if (!knownFlags.has(f)) fail(`daemonset: unknown tcp-info flag ${f}`);
if (!c.ports.some((p) => p.containerPort === 9990)) fail('daemonset: metrics port 9990');
const mounts = new Map(c.volumeMounts.map((m) => [m.name, m.mountPath]));
const volumes = new Set(spec.volumes.map((v) => v.name));
for (const name of mounts.keys()) if (!volumes.has(name)) fail(`daemonset: volume ${name} not defined`);
const prefixArg = c.args.find((a) => a.startsWith('-uuid-prefix-file='))?.split('=')[1];
if (!prefixArg || !prefixArg.startsWith(mounts.get('uuid-prefix'))) fail('daemonset: the prefix file must be on the uuid-prefix volume');
if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory) fail('daemonset: resource requests');

const dockerfile = readFileSync(here('Dockerfile'), 'utf8');
if (!/RUN bash docker\/build\.sh/.test(dockerfile)) fail('the Dockerfile build stage must run docker/build.sh');
for (const target of ['tcp-info', 'example-sidecar']) if (!new RegExp(`AS ${target}\\b`).test(dockerfile)) fail(`Dockerfile target ${target}`);
console.log('docker/validate: compose.yaml, kubernetes/daemonset.yaml and Dockerfile check out');

// --- The daemon's image and DaemonSet as operators run them (issue 11 item 10): kept apart.
function checkDaemonDeployment() {
  const where = 'kubernetes/daemonset.yaml';
  const { version } = JSON.parse(readFileSync(here('../apps/tcp-info/package.json'), 'utf8'));
  // Pull policy: a locally built image must be used, so neither `latest` (which
  // defaults to Always) nor Always; the tag is the daemon's version.
  const [image, tag] = c.image.split(':');
  if (image !== 'tcp-info' || tag !== version) fail(`${where}: image tcp-info:${version} (the apps/tcp-info version), not ${c.image}`);
  if (!['IfNotPresent', 'Never'].includes(c.imagePullPolicy)) fail(`${where}: imagePullPolicy IfNotPresent (or Never), not ${c.imagePullPolicy ?? 'the default'}`);
  // Probes on the metrics endpoint, at the port the daemon listens on.
  const port = Number(c.args.find((a) => a.startsWith('-prometheusx.listen-address='))?.split(':').pop() ?? 9990);
  for (const probe of ['livenessProbe', 'readinessProbe']) {
    const get = c[probe]?.httpGet;
    if (get?.path !== '/metrics' || Number(get.port) !== port) fail(`${where}: ${probe} must be httpGet /metrics on port ${port}`);
  }
  // securityContext consistent with the docs: root with only NET_ADMIN added, or
  // unprivileged with nothing added (an added capability has no effect there).
  const sc = c.securityContext ?? {};
  const added = sc.capabilities?.add ?? [];
  if (sc.allowPrivilegeEscalation !== false) fail(`${where}: allowPrivilegeEscalation: false`);
  if (!(sc.capabilities?.drop ?? []).includes('ALL')) fail(`${where}: drop ALL capabilities`);
  if (sc.runAsUser === 0) {
    if (added.some((cap) => cap !== 'NET_ADMIN')) fail(`${where}: root adds only NET_ADMIN`);
    if (sc.runAsNonRoot === true) fail(`${where}: runAsUser 0 contradicts runAsNonRoot`);
  } else if (added.length > 0) {
    fail(`${where}: a non-root user (runAsUser ${sc.runAsUser ?? 'unset: the image is root'}) keeps no added capability; add none, or run as root`);
  }
  const uuid = spec.volumes.find((v) => v.name === 'uuid-prefix');
  if (uuid?.hostPath?.type !== 'DirectoryOrCreate') fail(`${where}: the uuid-prefix hostPath must be DirectoryOrCreate (with Directory a node without it never starts the pod)`);
  // The image: Node 24 (current LTS) in every stage; the daemon's stage as the
  // original's image (root, /home, the binary as entrypoint) with the zstd CLI.
  const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
  for (const from of froms) if (!/^node:24[-.]/.test(from)) fail(`Dockerfile: every stage on Node 24 (current LTS), not ${from}`);
  const stage = dockerfile.slice(dockerfile.search(/^FROM \S+ AS tcp-info\b/m));
  const stageEnd = stage.slice(1).search(/^FROM /m);
  const daemonStage = stageEnd < 0 ? stage : stage.slice(0, stageEnd + 1);
  if (/^USER /m.test(daemonStage)) fail('Dockerfile: the tcp-info stage runs as root, as the original (no USER)');
  if (!/^WORKDIR \/home\s*$/m.test(daemonStage)) fail('Dockerfile: the tcp-info stage works in /home, as the original');
  if (!/apt-get install[^\n]*\bzstd\b/.test(daemonStage)) fail('Dockerfile: the tcp-info stage installs the zstd CLI');
  if (!/^ENTRYPOINT \["node", "\/opt\/tcp-info\/dist\/bin\.js"\]/m.test(daemonStage)) fail('Dockerfile: the daemon is the entrypoint');
}
checkDaemonDeployment();
console.log('docker/validate: the daemon image and DaemonSet (pull policy, probes, securityContext, uuid-prefix volume) check out');

// --- tcpinfo-csv's Indexed Job (kubernetes/csv-indexed-job.yaml): kept apart from the daemon's checks above.
function checkCsvIndexedJob() {
  const where = 'kubernetes/csv-indexed-job.yaml';
  const job = parse(readFileSync(here(where), 'utf8'));
  if (job.kind !== 'Job' || job.apiVersion !== 'batch/v1') fail(`${where} must be a batch/v1 Job`);
  if (job.spec.completionMode !== 'Indexed') fail(`${where}: completionMode must be Indexed (one shard per index)`);
  const pod = job.spec.template.spec;
  if (!['Never', 'OnFailure'].includes(pod.restartPolicy)) fail(`${where}: restartPolicy Never or OnFailure`);
  const c = pod.containers[0];
  const env = new Map((c.env ?? []).map((e) => [e.name, e.value]));
  if (Number(env.get('SHARDS')) !== job.spec.completions) fail(`${where}: env SHARDS (${env.get('SHARDS')}) must equal spec.completions (${job.spec.completions})`);
  const script = [...(c.command ?? []), ...(c.args ?? [])].join('\n');
  if (!script.includes('$JOB_COMPLETION_INDEX')) fail(`${where}: the shard must come from $JOB_COMPLETION_INDEX`);
  // Every option the script gives tcpinfo-csv must be one its command line defines.
  const csvFlags = new Set(readFileSync(here('../apps/csvtool/src/bin.ts'), 'utf8').match(/--[a-z][a-z-]*/g));
  const call = script.split('\n').find((l) => l.includes('"$TCPINFO_CSV"'));
  if (call === undefined) fail(`${where}: the script must run "$TCPINFO_CSV"`);
  for (const flag of call.match(/--[a-z][a-z-]*/g) ?? []) if (!csvFlags.has(flag)) fail(`${where}: unknown tcpinfo-csv option ${flag}`);
  if (!call.includes('--format=parquet')) fail(`${where}: shards are Parquet files (--format=parquet)`);
  const mounts = new Map(c.volumeMounts.map((m) => [m.name, m.mountPath]));
  const volumes = new Set(pod.volumes.map((v) => v.name));
  for (const name of mounts.keys()) if (!volumes.has(name)) fail(`${where}: volume ${name} not defined`);
  const under = (path) => [...mounts.values()].some((m) => path.startsWith(m + '/') || path === m);
  for (const name of ['FILE_LIST', 'OUT_DIR']) if (!under(env.get(name) ?? '')) fail(`${where}: ${name} must be on a mounted volume`);
  if (!c.resources?.requests?.cpu || !c.resources?.limits?.memory) fail(`${where}: a CPU request and a memory limit`);
  const dockerfile = readFileSync(here('Dockerfile'), 'utf8');
  if (!new RegExp(`AS ${c.image.split(':')[0]}\\b`).test(dockerfile)) fail(`${where}: the image ${c.image} is not a Dockerfile target`);
  if (!dockerfile.includes(env.get('TCPINFO_CSV').split('/dist/')[0])) fail(`${where}: TCPINFO_CSV must be where the Dockerfile puts tcpinfo-csv`);
}
checkCsvIndexedJob();
console.log('docker/validate: kubernetes/csv-indexed-job.yaml checks out');

