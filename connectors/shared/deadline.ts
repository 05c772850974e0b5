/**
 * `work`, or, past `ms`, the error `late()` makes (it may also cancel the work). The timer
 * never outlives the work. For drivers whose own retries could wait far longer than Vigil's
 * timeouts.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, late: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(late()), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
