/** The shared security suite (test/support/security-suite.ts) on every backend. */
import { testBackends } from '../support/databases.js';
import { runSecuritySuite } from '../support/security-suite.js';

for (const backend of testBackends()) runSecuritySuite(backend);
