// Entry file of a sweep trial's worker thread. In the built package (dist/) the
// compiled body sits next to this file; in the source tree, worker threads start
// without the TypeScript loader, so register tsx's ESM hooks, then run the
// TypeScript body (sweep-worker.ts).
import { existsSync } from 'node:fs';

const compiled = new URL('./sweep-worker.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('./sweep-worker.ts', import.meta.url).href);
}
