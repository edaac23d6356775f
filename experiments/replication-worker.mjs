// Entry file of a replication's worker thread: worker threads start without the
// TypeScript loader, so register tsx's ESM hooks, then run the TypeScript body.
import { register } from 'tsx/esm/api';

register();
await import('./replication-worker.ts');
