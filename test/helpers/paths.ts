// Where test fixtures live, seen from the compiled tests in dist/test/….
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const SHAPES = fileURLToPath(new URL('../../../test/corpus/shapes/', import.meta.url));
export const SAMPLES = fileURLToPath(new URL('../../../samples/', import.meta.url));
export const BIN = fileURLToPath(new URL('../../../dist/src/cli/bin.js', import.meta.url));

export function shape(name: string): string {
  return SHAPES + name;
}
