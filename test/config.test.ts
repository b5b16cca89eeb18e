/**
 * The configuration table: one entry per variable drives parsing and README's table, so a
 * default is written once. Defaults, overrides, bad values naming their variable.
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { CONFIG_VARIABLES, loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('reads every default from the table, as README shows it', () => {
    const config = loadConfig({});
    const shown = Object.fromEntries(CONFIG_VARIABLES.map((v) => [v.name, v.default]));
    assert.equal(config.port, Number(shown.PORT));
    assert.equal(config.host, shown.HOST);
    assert.equal(config.dataDir, resolve(shown.CLIENTELE_DATA_DIR!));
    assert.equal(config.accessTokenTtl, Number(shown.CLIENTELE_ACCESS_TOKEN_TTL));
    assert.equal(config.cacheEntries, Number(shown.CLIENTELE_CACHE_ENTRIES));
    assert.equal(config.cache, shown.CLIENTELE_CACHE === 'true');
    assert.equal(config.trustProxy, shown.CLIENTELE_TRUST_PROXY === 'true');
    assert.equal(config.webhookPollMs, Number(shown.CLIENTELE_WEBHOOK_POLL_MS));
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.masterKey, undefined);
    assert.equal(config.outboundAllowHosts, '');
    assert.equal(config.issuer, 'http://127.0.0.1:8080');
  });

  it('sets every field of the configuration from exactly one variable', () => {
    const names = CONFIG_VARIABLES.map((v) => v.name);
    assert.equal(new Set(names).size, names.length);
    // Every variable set to a valid value shows up in a distinct field.
    const env: Record<string, string> = {};
    // Variables with a format of their own.
    const examples: Record<string, string> = {
      CLIENTELE_TRUST_PROXY: '10.0.0.0/8,192.168.1.1',
      CLIENTELE_RATE_LIMIT_STORE: 'postgres',
      CLIENTELE_ACCESS_LOG: 'all',
      CLIENTELE_SIGN_IN_FAILURES_PER_ADDRESS: '5/1m',
      CLIENTELE_TOKEN_REQUESTS_PER_ADDRESS: '10/30s',
      CLIENTELE_AUTH_FAILURES_PER_ADDRESS: '100/1h',
      CLIENTELE_EMBEDDED_SHARED_BUFFERS: '32MB',
    };
    for (const v of CONFIG_VARIABLES)
      env[v.name] = examples[v.name] ?? (/^\d+$/.test(v.default) ? String(Number(v.default) + 1) : v.default === 'true' || v.default === 'false' ? 'yes' : `value-of-${v.name}`);
    const config = loadConfig(env) as unknown as Record<string, unknown>;
    const fields = Object.keys(config);
    assert.equal(fields.length, names.length);
    for (const value of Object.values(config)) assert.notEqual(value, undefined);
  });

  it('parses overrides; an empty value is the default', () => {
    const config = loadConfig({ PORT: '9000', HOST: '0.0.0.0', CLIENTELE_CACHE: 'off', CLIENTELE_BOOTSTRAP: 'NO', CLIENTELE_DATA_DIR: 'x/y', CLIENTELE_DB_POOL_SIZE: '' });
    assert.equal(config.port, 9000);
    assert.equal(config.cache, false);
    assert.equal(config.bootstrap, false);
    assert.equal(config.dataDir, resolve('x/y'));
    assert.equal(config.dbPoolSize, 10);
    assert.equal(config.issuer, 'http://0.0.0.0:9000');
    assert.equal(loadConfig({ CLIENTELE_ISSUER: 'https://id.example' }).issuer, 'https://id.example');
  });

  it('reads rate limits as count/window or off, and the trusted proxies in each form', () => {
    assert.deepEqual(loadConfig({}).signInFailuresPerAddress, { limit: 30, durationMs: 900_000 });
    assert.deepEqual(loadConfig({ CLIENTELE_TOKEN_REQUESTS_PER_ADDRESS: '10/30s' }).tokenRequestsPerAddress, { limit: 10, durationMs: 30_000 });
    assert.deepEqual(loadConfig({ CLIENTELE_AUTH_FAILURES_PER_ADDRESS: '2/1h' }).authFailuresPerAddress, { limit: 2, durationMs: 3_600_000 });
    assert.equal(loadConfig({ CLIENTELE_SIGN_IN_FAILURES_PER_ADDRESS: 'off' }).signInFailuresPerAddress, null);
    assert.throws(() => loadConfig({ CLIENTELE_SIGN_IN_FAILURES_PER_ADDRESS: '30 per minute' }), /CLIENTELE_SIGN_IN_FAILURES_PER_ADDRESS must be count\/window/);
    assert.equal(loadConfig({}).trustProxy, false);
    assert.equal(loadConfig({ CLIENTELE_TRUST_PROXY: 'true' }).trustProxy, true);
    assert.equal(loadConfig({ CLIENTELE_TRUST_PROXY: '2' }).trustProxy, 2);
    assert.deepEqual(loadConfig({ CLIENTELE_TRUST_PROXY: '10.0.0.0/8, ::1' }).trustProxy, ['10.0.0.0/8', '::1']);
    assert.throws(() => loadConfig({ CLIENTELE_TRUST_PROXY: 'yes please' }), /CLIENTELE_TRUST_PROXY/);
    assert.equal(loadConfig({}).rateLimitStore, undefined);
    assert.throws(() => loadConfig({ CLIENTELE_RATE_LIMIT_STORE: 'mongodb' }), /CLIENTELE_RATE_LIMIT_STORE must be one of memory, postgres, redis/);
  });

  it('refuses a bad value, naming the variable and the rule', () => {
    assert.throws(() => loadConfig({ PORT: 'eighty' }), /^Error: PORT must be an integer ≥ 0$/);
    assert.throws(() => loadConfig({ CLIENTELE_DB_POOL_SIZE: '0' }), /CLIENTELE_DB_POOL_SIZE must be an integer ≥ 1/);
    assert.throws(() => loadConfig({ CLIENTELE_CACHE_ENTRIES: '1.5' }), /CLIENTELE_CACHE_ENTRIES/);
    assert.throws(() => loadConfig({ CLIENTELE_CACHE: 'maybe' }), /CLIENTELE_CACHE must be true or false/);
  });
});
