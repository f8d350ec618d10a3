/** GET <url>/healthz with a short timeout; true on HTTP 200. */
export async function isHealthy(url: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
    await r.arrayBuffer();
    return r.ok;
  } catch {
    return false;
  }
}

/** Poll until healthy or the deadline passes; `alive` lets the caller stop early when the process died. */
export async function waitHealthy(url: string, deadlineMs: number, alive: () => boolean): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (!alive()) return false;
    if (await isHealthy(url, 1000)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
