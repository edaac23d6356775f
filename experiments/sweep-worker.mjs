// Entry file of a sweep trial's worker thread. Worker threads start without the
// TypeScript loader, so register tsx's ESM hooks here, then run the TypeScript
// body (sweep-worker.ts).
import { register } from 'tsx/esm/api';

register();
await import('./sweep-worker.ts');
