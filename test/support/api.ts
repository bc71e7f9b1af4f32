// TEST CODE ONLY: one authenticated JSON call against the API, as clients make it.

/** Parsed JSON of a response: tests read it freely and assert on it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface JsonResponse { status: number; body: Json }

/** `method path` with a Bearer token (none when null) and, when given, a JSON body. */
export function apiCall(baseUrl: string, token: string | null, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** `apiCall` with the answer's status and its body parsed as JSON (undefined when empty). */
export async function apiJson(baseUrl: string, token: string | null, method: string, path: string, body?: unknown): Promise<JsonResponse> {
  const res = await apiCall(baseUrl, token, method, path, body);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
