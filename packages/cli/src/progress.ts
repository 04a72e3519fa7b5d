import cliProgress from 'cli-progress';

/** A progress bar on stderr when it is a terminal; otherwise nothing. */
export function fileProgress(enabled: boolean): {
  update: (done: number, total: number | null) => void;
  stop: () => void;
} {
  if (!enabled || !process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'reading [{bar}] {percentage}% | {value}/{total} MB | eta {eta}s',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (total === null || total < 32 * 1024 * 1024) return;
      const mb = (n: number) => Math.round(n / 1048576);
      if (!started) {
        bar.start(mb(total), 0);
        started = true;
      }
      bar.update(mb(done));
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
