// TEST CODE ONLY: one authenticated JSON call against the API, as clients make it.

/** `method path` with a Bearer token and, when given, a JSON body. */
export function apiCall(baseUrl: string, token: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
