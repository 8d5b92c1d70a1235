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
