// src/types.ts is written by hand from openapi/pixerve.v1.json: every schema it mirrors must name the same fields,
// the same required ones, and the same enums.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

const document = JSON.parse(await readFile(new URL('../../../openapi/pixerve.v1.json', import.meta.url), 'utf8'));
const declarations = await readFile(new URL('../src/types.ts', import.meta.url), 'utf8');

function declared(name) {
  const body = declarations.match(new RegExp(`export interface ${name}(?: extends \\w+)? \\{([\\s\\S]*?)\\n\\}`))?.[1];
  assert.ok(body, `src/types.ts declares ${name}`);
  return Object.fromEntries([...body.matchAll(/^\s+(\w+)(\??): ([^;]+);/gm)].map(([, field, optional, type]) => [field, { optional: optional === '?', type }]));
}

for (const name of ['UploadResponse', 'StatusResponse', 'StoredFile', 'WebhookResponse', 'RecordStatus', 'ProblemDetails', 'SourceInfo', 'JobOutput', 'OutputLocation', 'AttemptResponse']) {
  test(`${name} matches the OpenAPI document`, () => {
    const schema = document.components.schemas[name];
    const fields = declared(name);
    assert.deepEqual(Object.keys(fields).sort(), Object.keys(schema.properties).sort());
    for (const required of schema.required ?? []) assert.equal(fields[required].optional, false, `${name}.${required} is required`);
    for (const [field, property] of Object.entries(schema.properties)) {
      if (property.enum) {
        const values = property.enum.map((v) => `'${v}'`);
        const type = fields[field].type.startsWith('JobStatus') ? declarations.match(/export type JobStatus = ([^;]+);/)[1] : fields[field].type;
        assert.deepEqual(type.split(' | ').sort(), values.sort(), `${name}.${field}`);
      }
    }
  });
}
