/**
 * The one way Clientele makes outgoing HTTP requests: an address policy enforced on the
 * resolved address, a timeout, no redirects followed, and a bounded response body.
 */
import http from 'node:http';
import https from 'node:https';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { AddressPolicy } from './address-policy.js';

interface OutboundRequest {
  url: string;
  method?: 'POST' | 'GET';
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
}

interface OutboundResponse {
  status: number;
  /** At most `maxBodyBytes` of the body, as text. */
  body: string;
  durationMs: number;
}

export interface OutboundClient {
  /** Resolves with the response, or rejects with an Error whose message is safe to record. */
  send(request: OutboundRequest): Promise<OutboundResponse>;
}

class OutboundError extends Error {
  override readonly name = 'OutboundError';
}

export function createOutboundClient(policy: AddressPolicy, options: { maxBodyBytes?: number } = {}): OutboundClient {
  const maxBody = options.maxBodyBytes ?? 4096;
  return {
    send(req) {
      return new Promise((resolve, reject) => {
        let url: URL;
        try {
          url = new URL(req.url);
        } catch {
          return reject(new OutboundError('invalid URL'));
        }
        if (url.protocol !== 'http:' && url.protocol !== 'https:') return reject(new OutboundError('only http and https URLs are allowed'));
        const host = url.hostname;
        // Node skips `lookup` for IP-literal hosts, so the guard below never sees them: check here.
        const literal = host.replace(/^\[|\]$/g, '');
        if (isIP(literal) && !policy.allows(host, literal)) return reject(new OutboundError(`address of ${host} is not allowed (private or loopback)`));
        const guardedLookup: LookupFunction = (hostname, opts, callback) => {
          dnsLookup(hostname, { ...opts, all: true }, (err, addresses) => {
            if (err) return callback(err, '', 4);
            const list = addresses as LookupAddress[];
            const ok = list.filter((a) => policy.allows(host, a.address));
            if (ok.length === 0) return callback(new OutboundError(`address of ${host} is not allowed (private or loopback)`), '', 4);
            if ((opts as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, ok);
            return callback(null, ok[0]!.address, ok[0]!.family);
          });
        };
        const started = performance.now();
        const mod = url.protocol === 'https:' ? https : http;
        const request = mod.request(url, { method: req.method ?? 'POST', headers: req.headers, lookup: guardedLookup, timeout: req.timeoutMs ?? 10_000 }, (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            if (size < maxBody) chunks.push(c.subarray(0, maxBody - size));
            size += c.length;
          });
          res.on('end', () => {
            clearTimeout(deadline);
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), durationMs: Math.round(performance.now() - started) });
          });
          res.on('error', (e) => reject(new OutboundError(e.message)));
        });
        request.on('timeout', () => request.destroy(new OutboundError('timed out')));
        // `timeout` above only bounds idle periods: a peer trickling bytes would hold the attempt
        // (and the dispatcher's lease) open indefinitely. This bounds the whole attempt.
        const deadline = setTimeout(() => request.destroy(new OutboundError('timed out')), req.timeoutMs ?? 10_000);
        request.on('close', () => clearTimeout(deadline));
        request.on('error', (e) => reject(e instanceof OutboundError ? e : new OutboundError(e.message)));
        if (req.body !== undefined) request.write(req.body);
        request.end();
      });
    },
  };
}
