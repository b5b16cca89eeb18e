/** Writes sdk/src/openapi.ts from the committed openapi.json (see openapi-types.ts). */
import { readFile, writeFile } from 'node:fs/promises';
import { generateSdkTypes } from './openapi-types.js';

const source = new URL('../../openapi.json', import.meta.url);
const target = new URL('../src/openapi.ts', import.meta.url);
await writeFile(target, await generateSdkTypes(await readFile(source, 'utf8')));
process.stdout.write('sdk/src/openapi.ts written\n');
