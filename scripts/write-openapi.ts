import { writeFile } from 'node:fs/promises';
import { generateOpenApi } from './openapi.js';

await writeFile(new URL('../openapi.json', import.meta.url), await generateOpenApi());
process.stdout.write('openapi.json written\n');
