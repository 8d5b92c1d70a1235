import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { Netns, isRoot, warnIfNotRoot } from '../src/index.js';

warnIfNotRoot('the namespace helper itself');
const fixture = fileURLToPath(new URL('../src/conn-fixture.mjs', import.meta.url));

describe.skipIf(!isRoot)('Netns', () => {
  let ns: Netns;
  beforeAll(() => {
    ns = Netns.create();
  });
  afterAll(() => ns.destroy());

  it('carries real IPv4 and IPv6 connections that ss sees inside the namespace only', async () => {
    const child = ns.spawn(process.execPath, [fixture, '--count', '2', '--bytes', '5000']);
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout!.once('data', (d: Buffer) => resolve(d.toString()));
      child.once('exit', (code) => reject(new Error(`fixture exited ${code}`)));
    });
    const { connections } = JSON.parse(line) as { connections: unknown[] };
    expect(connections).toHaveLength(4);
    const ss = ns.exec('ss', ['-tnH', 'state', 'established']);
    expect(ss.trim().split('\n')).toHaveLength(8); // both ends of 4 connections
    expect(ss).toContain('192.0.2.2');
    expect(ss).toContain('[2001:db8::2]');
    child.stdin!.end();
    await new Promise((r) => child.once('exit', r));
  });
});
