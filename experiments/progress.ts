/**
 * A progress bar (cli-progress) for long commands: shown only on a TTY and when
 * not quiet; otherwise every call is a no-op.
 */
import cliProgress from 'cli-progress';

/** A progress sink. */
export interface Progress {
  update: (done: number, total: number) => void;
  stop: () => void;
}

/** A progress bar on stderr when `enabled` and stderr is a terminal. @param unit what is counted */
export function makeProgress(enabled: boolean, unit: string): Progress {
  if (!enabled || !process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { format: `{bar} {percentage}% | {value}/{total} ${unit} | {eta_formatted} left`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
