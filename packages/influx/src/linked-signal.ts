/** A signal that aborts when any of its sources does, or once `timeoutMs` passed; dispose() when done. */
export interface LinkedSignal {
  readonly signal: AbortSignal;
  /** Whether it was the timeout that fired (not a source). */
  readonly timedOut: boolean;
  /** Unhooks it from its sources and stops the timer. */
  dispose(): void;
}

/**
 * Why not AbortSignal.any(): on Node 20 a signal made from a long-lived source (the writer's own
 * close signal) stays reachable from that source, and with it every listener ever added to it: each
 * request's observer and body. A collector writing thousands of times a second kept them all
 * (hundreds of MB after a one-day replay). Here the link is two listeners removed on dispose().
 */
export function linkedSignal(sources: ReadonlyArray<AbortSignal | undefined>, timeoutMs?: number): LinkedSignal {
  const controller = new AbortController();
  let timedOut = false;
  const hooked: Array<[AbortSignal, () => void]> = [];
  for (const source of sources) {
    if (!source) continue;
    if (source.aborted) {
      controller.abort(source.reason);
      break;
    }
    const forward = () => controller.abort(source.reason);
    source.addEventListener('abort', forward, { once: true });
    hooked.push([source, forward]);
  }
  const timer =
    timeoutMs === undefined || controller.signal.aborted
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError'));
        }, timeoutMs);
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    dispose() {
      if (timer) clearTimeout(timer);
      for (const [source, forward] of hooked) source.removeEventListener('abort', forward);
      hooked.length = 0;
    },
  };
}
