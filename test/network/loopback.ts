// Which hosts are this machine: the guard lets them through, the report counts them as loopback.
import { isIPv4 } from 'node:net';

/** The loopback range, its IPv6 forms, the unspecified address (a connection to it stays on the machine), and no host at all (Node's default, localhost). */
export function isLoopback(host: string | undefined): boolean {
  if (host === undefined || host === '' || host === 'localhost') return true;
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return isIPv4(h) ? h.startsWith('127.') || h === '0.0.0.0' : h === '::1' || /^::ffff:127\./.test(h) || h === '::';
}
