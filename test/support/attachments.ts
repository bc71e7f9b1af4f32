// TEST CODE ONLY: attachment calls as the clients make them (multipart uploads, download links), shared by the specs.
import { createHash } from 'node:crypto';
import { JsonResponse } from './api';

interface HasBaseUrl { baseUrl: string }

export const sha256 = (bytes: Buffer | Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A multipart body with the given parts, in that order (a Blob part is a file named `fileName`). */
export function multipartForm(parts: Array<[string, string | Blob]>, fileName = ''): FormData {
  const body = new FormData();
  for (const [name, value] of parts) {
    if (typeof value === 'string') body.append(name, value);
    else body.append(name, value, fileName);
  }
  return body;
}

/** POST with a Bearer token and a multipart (or any raw) body; the answer parsed as JSON when there is one. */
export async function postMultipart(t: HasBaseUrl, token: string, path: string, body: FormData | string, headers: Record<string, string> = {}): Promise<JsonResponse> {
  const res = await fetch(`${t.baseUrl}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, ...headers }, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** The direct upload of a v2 attachment: one part `data`, the encrypted name as its file name. */
export function uploadAttachment(t: HasBaseUrl, token: string, cipherId: string, attachmentId: string, bytes: Buffer, fileName: string): Promise<JsonResponse> {
  return postMultipart(t, token, `/api/ciphers/${cipherId}/attachment/${attachmentId}`, multipartForm([['data', new Blob([bytes], { type: 'application/octet-stream' })]], fileName));
}

/** GET a download link without any credentials: its status and the bytes' hash. */
export async function fetchLink(link: string): Promise<{ status: number; sha: string }> {
  const res = await fetch(link);
  return { status: res.status, sha: sha256(Buffer.from(await res.arrayBuffer())) };
}
