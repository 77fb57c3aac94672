/**
 * Waits for `work` until `deadline` (epoch milliseconds) at most; true when it settled (resolved or
 * rejected) in time. Work still running at the deadline is left to run and its failure ignored:
 * shutdown bounds every wait with this, so that a Redis that is down or an HTTP call that hangs
 * cannot hold a process that was told to stop.
 */
export async function settleBy(work: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = work.then(
    () => true,
    () => true,
  );
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([settled, late]);
  } finally {
    clearTimeout(timer);
  }
}
