#!/usr/bin/env node
// Generates src/generated/openapi.ts from the API's committed OpenAPI document
// (apps/api/openapi.json) with openapi-typescript.
//
//   node scripts/generate.mjs           write the file
//   node scripts/generate.mjs --check   exit 1 when the committed file differs from what the
//                                       document generates (stale types fail the build)
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../../..");
const input = resolve(repo, "apps/api/openapi.json");
const output = resolve(here, "../src/generated/openapi.ts");
const check = process.argv.includes("--check");

const document = JSON.parse(await readFile(input, "utf8"));
const ast = await openapiTS(document, {
  // `{"type": "object"}` with no properties (the health checks) is "any object", not "empty".
  emptyObjectsUnknown: true,
});
const banner =
  "// Generated from apps/api/openapi.json by packages/client/scripts/generate.mjs\n" +
  "// (openapi-typescript). Do not edit: run `npm run generate -w @repo/client`.\n\n";
const generated = banner + astToString(ast);

const shown = relative(repo, output);
if (check) {
  const current = await readFile(output, "utf8").catch(() => null);
  if (current !== generated) {
    console.error(
      `${shown} is ${current === null ? "missing" : "stale"}: apps/api/openapi.json changed.\n` +
        "Run `npm run generate -w @repo/client` and commit the result.",
    );
    process.exit(1);
  }
  console.log(`${shown} is up to date with apps/api/openapi.json`);
} else {
  await mkdir(dirname(output), { recursive: true });
  await writeFile(output, generated);
  console.log(`wrote ${shown}`);
}
