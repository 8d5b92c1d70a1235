import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/** Serves `registry` at /metrics; resolves once listening, rejects if the address is unusable. */
export async function serveMetrics(registry: Registry, host: string | undefined, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end('not found: metrics are at /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
      (err: Error) => res.writeHead(500).end(`${err.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Idle keep-alive connections must not hold the process at exit.
  server.unref();
  return server;
}
