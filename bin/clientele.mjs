#!/usr/bin/env node
// Runs the TypeScript command line through tsx (a runtime dependency).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
