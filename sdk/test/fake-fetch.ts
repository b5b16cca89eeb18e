/** A scripted `fetch` for unit tests: answers from a list and records every request. */
import type { FetchLike } from '../src/http.js';

export interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

export type Answer = Response | Error | ((req: Recorded) => Response | Error);

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const type = status >= 400 && typeof body === 'object' && body !== null && 'code' in body ? 'application/problem+json' : 'application/json';
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': type, ...headers } });
}

export function problem(status: number, code: string, headers: Record<string, string> = {}): Response {
  return json(status, { type: `urn:clientele:problem:${code.toLowerCase()}`, title: code, status, detail: code, code }, headers);
}

export function fakeFetch(answers: Answer[] | ((req: Recorded, n: number) => Response | Error)) {
  const requests: Recorded[] = [];
  const fetch: FetchLike = async (url, init) => {
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => {
      headers[k] = v;
    });
    const req: Recorded = { method: init.method ?? 'GET', url, headers, body: typeof init.body === 'string' ? init.body : undefined };
    requests.push(req);
    let answer: Answer | undefined;
    if (typeof answers === 'function') answer = answers(req, requests.length);
    else answer = answers.shift();
    if (answer === undefined) throw new Error(`unexpected request ${req.method} ${url}`);
    const out = typeof answer === 'function' ? answer(req) : answer;
    if (out instanceof Error) throw out;
    return out;
  };
  return { fetch, requests };
}
