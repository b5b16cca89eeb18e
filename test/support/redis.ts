/**
 * The private Redis of a test run (scripts/run-tests.ts starts one). Under CI the Redis
 * tests must run; elsewhere they are skipped, loudly, when no redis-server was found.
 */
import { randomBytes } from 'node:crypto';

/** The test run's Redis URL, or undefined when the Redis tests are skipped. */
export function testRedisUrl(): string | undefined {
  const url = process.env.CLIENTELE_TEST_REDIS_URL;
  if (!url && (process.env.CI === 'true' || process.env.CI === '1')) throw new Error('CI=true but no CLIENTELE_TEST_REDIS_URL: the Redis tests must run');
  return url;
}

/** A key prefix of its own, so test files sharing the run's Redis never share a counter. */
export const redisTestPrefix = () => `test:${randomBytes(6).toString('hex')}:`;
