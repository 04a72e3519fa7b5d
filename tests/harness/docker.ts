let answer: Promise<boolean> | undefined;

/**
 * Whether a container engine answers. Asked once per process: testcontainers rejects within
 * milliseconds when there is none. testcontainers 12 cannot even be loaded on Node < 22.22 (its undici
 * needs zstd): that counts as no Docker too. `WIREWATCH_HARNESS_DOCKER=0` forces the local binaries.
 */
export function dockerAvailable(): Promise<boolean> {
  if (process.env.WIREWATCH_HARNESS_DOCKER === '0') return Promise.resolve(false);
  answer ??= import('testcontainers')
    .then(({ getContainerRuntimeClient }) => getContainerRuntimeClient())
    .then(
      () => true,
      () => false,
    );
  return answer;
}
