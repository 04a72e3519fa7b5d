/** GET `url` and tell whether it answered `status`. Network errors reject (probes treat them as "not yet"). */
export async function answers(url: string, status: number, headers?: Record<string, string>): Promise<boolean> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(2_000) });
  await response.arrayBuffer();
  return response.status === status;
}

/** Reads a response that must be 2xx, or throws one line naming the request and the server's answer. */
export async function expectOk(response: Response, what: string): Promise<Response> {
  if (response.ok) return response;
  const body = (await response.text()).trim().slice(0, 500);
  throw new Error(`${what}: HTTP ${response.status}${body ? `: ${body}` : ''}`);
}
