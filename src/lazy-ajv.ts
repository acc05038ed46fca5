// ajv is needed only to validate a rules file, a baseline or a report in tests: load it on first
// use, not at every start (measured: `heaptrace --version` went from 0.13 s to 0.11 s).
import { createRequire } from 'node:module';
import type { Ajv as AjvClass } from 'ajv';

const require = createRequire(import.meta.url);

export function newAjv(options: ConstructorParameters<typeof AjvClass>[0]): AjvClass {
  const { Ajv } = require('ajv') as { Ajv: typeof AjvClass };
  return new Ajv(options);
}
