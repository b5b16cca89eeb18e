/**
 * Turns the server's OpenAPI 3.1 document into the SDK's wire types with openapi-typescript.
 * `npm run generate -w @clientele/sdk` writes `sdk/src/openapi.ts`; a test regenerates it
 * from the route schemas and fails on any difference (drift check).
 */
import openapiTS, { astToString } from 'openapi-typescript';

const HEADER = `/**
 * GENERATED from openapi.json by openapi-typescript — do not edit.
 * Regenerate with \`npm run openapi\` (server document, then these types).
 */
`;

export async function generateSdkTypes(openapiJson: string): Promise<string> {
  const ast = await openapiTS(JSON.parse(openapiJson) as Parameters<typeof openapiTS>[0], {
    alphabetize: false,
    exportType: false,
    // Response and request bodies as the server documents them; `additionalProperties`
    // left as written (closed unless said otherwise).
  });
  return HEADER + astToString(ast);
}
