// ghostwriter.serverCaFile: an https server signed by a team's own CA is trusted with that CA
// given, and refused (unreachable, with the TLS reason) without it.
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { GhostwriterError } from '../../../src/core/errors';
import { silentLogger } from '../../../src/core/logger';
import { DIALECTS } from '../../../src/core/remote/dialects';
import { RemoteSource } from '../../../src/core/remote/remoteSource';
import { repoRoot } from '../helpers';

describe('a server signed by a custom CA (ghostwriter.serverCaFile)', () => {
  const tls = () => join(repoRoot(), 'test', 'standins', 'tls');
  let server: Server;
  let endpoint: string;
  before(async () => {
    server = createServer({ key: readFileSync(join(tls(), 'server-key.pem')), cert: readFileSync(join(tls(), 'server-cert.pem')) }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'team-coder' }] }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const source = (ca?: string) => new RemoteSource({ dialect: DIALECTS.openai, endpoint, model: 'team-coder', fimTemplate: 'auto', ...(ca ? { ca } : {}) }, silentLogger);

  it('with the CA: the models are listed', async () => {
    const s = source(readFileSync(join(tls(), 'server-cert.pem'), 'utf8'));
    assert.deepEqual(await s.listModels(), ['team-coder']);
    s.dispose();
  });

  it('without it: refused as unreachable, saying why', async () => {
    const s = source();
    await assert.rejects(s.listModels(), (err: unknown) => err instanceof GhostwriterError && err.code === 'remote-unreachable' && /self[- ]signed/i.test(err.message));
    s.dispose();
  });
});
