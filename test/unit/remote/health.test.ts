// The circuit: which failures open it, the probe's back-off (doubling, bounded), Retry-After for a
// busy server, and the first probe that answers closing it.
import { strict as assert } from 'node:assert';
import { GhostwriterError } from '../../../src/core/errors';
import { createLogger } from '../../../src/core/logger';
import { ProbeError, ServerHealth, type HealthState } from '../../../src/core/remote/health';

function health(outcomes: (GhostwriterError | ProbeError | undefined)[]) {
  const waits: number[] = [];
  const log = createLogger((_level, message) => {
    const m = /next health probe in (\d+) ms/.exec(message);
    if (m) waits.push(Number(m[1]));
  });
  let probes = 0;
  let onProbe: () => void = () => undefined;
  const h = new ServerHealth(
    async () => {
      const outcome = outcomes[probes++];
      onProbe();
      if (outcome) throw outcome;
    },
    log,
    { baseDelayMs: 5, maxDelayMs: 40 },
  );
  const probed = (n: number) => new Promise<void>((resolve) => (onProbe = () => probes >= n && resolve()));
  return { h, waits, probed, probes: () => probes };
}

const down = () => new GhostwriterError('remote-unreachable', 'connect ECONNREFUSED');

describe('server health (circuit breaker)', () => {
  it('a request refused for its own sake leaves the circuit closed; unreachable, 5xx, a refused key open it', () => {
    const { h } = health([]);
    h.failed(new GhostwriterError('remote-failed', '400 prompt too long'));
    h.failed(new GhostwriterError('cancelled', 'aborted'));
    assert.equal(h.allows, true);
    for (const code of ['remote-unreachable', 'remote-down', 'remote-unauthorized'] as const) {
      h.succeeded();
      h.failed(new GhostwriterError(code, code));
      assert.equal(h.allows, false, code);
      assert.equal(h.state.kind, 'down');
    }
    h.dispose();
  });

  it('the probe backs off doubling up to its bound, and the first probe that answers closes the circuit', async () => {
    const { h, waits, probed } = health([down(), down(), down(), down(), undefined]);
    const states: HealthState[] = [];
    h.onDidChange((s) => states.push(s));
    const up = new Promise<void>((resolve) => h.onDidChange((s) => s.kind === 'up' && resolve()));
    const fifth = probed(5);
    h.failed(down());
    await fifth;
    await up;
    assert.deepEqual(waits, [5, 10, 20, 40, 40]);
    assert.deepEqual(states.map((s) => s.kind), ['down', 'up']);
    assert.equal(h.allows, true);
    h.dispose();
  });

  it('busy: waits for Retry-After (within the bound) before probing', () => {
    const { h, waits } = health([]);
    h.failed(new GhostwriterError('remote-busy', '429 no free slot'), 30);
    assert.equal(h.state.kind, 'busy');
    assert.equal(h.allows, false);
    assert.deepEqual(waits, [30]);
    h.failed(new GhostwriterError('remote-busy', '503'), 10_000);
    assert.deepEqual(waits, [30, 40], 'a Retry-After past the bound waits the bound');
    h.dispose();
  });
});
