/**
 * Which addresses outgoing requests (webhooks, integration tests) may reach. Private,
 * loopback, link-local and other non-public ranges are refused unless explicitly allowed
 * by CLIENTELE_WEBHOOK_ALLOW_HOSTS (host names or CIDRs, comma-separated). The check runs
 * on the resolved address at connect time, so DNS tricks cannot route around it.
 */
import { BlockList, isIP } from 'node:net';

const DENIED_V4 = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const;
const DENIED_V6 = [
  ['::', 96],
  ['::1', 128],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['2001:db8::', 32],
] as const;

export interface AddressPolicy {
  /** True when a connection to `address` (an IP) for `host` (as written in the URL) is allowed. */
  allows(host: string, address: string): boolean;
}

/** Builds the policy from the allow-list text (e.g. `127.0.0.1,localhost,10.1.0.0/16`). */
export function createAddressPolicy(allowList = ''): AddressPolicy {
  const denied = new BlockList();
  for (const [a, p] of DENIED_V4) denied.addSubnet(a, p, 'ipv4');
  for (const [a, p] of DENIED_V6) denied.addSubnet(a, p, 'ipv6');
  const allowed = new BlockList();
  const allowedHosts = new Set<string>();
  for (const raw of allowList
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [addr, prefix] = raw.split('/');
    const family = isIP(addr ?? '');
    if (family && prefix !== undefined) allowed.addSubnet(addr!, Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
    else if (family) allowed.addAddress(addr!, family === 4 ? 'ipv4' : 'ipv6');
    else allowedHosts.add(raw.toLowerCase());
  }
  return {
    allows(host, address) {
      const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
      const ip = mapped ?? address;
      const type = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
      if (allowedHosts.has(host.toLowerCase().replace(/^\[|\]$/g, '')) || allowed.check(ip, type)) return true;
      return !denied.check(ip, type);
    },
  };
}
