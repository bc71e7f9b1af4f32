// TEST CODE ONLY: a bare WebSocket client (ws) to read upgrade status codes and raw frames.
import WebSocket from 'ws';

export interface UpgradeResult { status: number; body: string; opened: boolean }

/** Tries an upgrade and reports the HTTP status (101 when it opened) and body of a rejection. */
export function tryUpgrade(url: string, headers: Record<string, string> = {}): Promise<UpgradeResult> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, opened: false }));
    });
    ws.on('open', () => {
      resolve({ status: 101, body: '', opened: true });
      ws.close();
    });
    ws.on('error', () => undefined);
  });
}

/** A raw socket that records every frame it receives. */
export class RawHubSocket {
  readonly frames: Array<{ data: Buffer; binary: boolean }> = [];
  closeCode: number | null = null;
  private readonly closed: Promise<number>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, binary: boolean) => this.frames.push({ data, binary }));
    this.closed = new Promise((resolve) => ws.on('close', (code) => {
      this.closeCode = code;
      resolve(code);
    }));
    ws.on('error', () => undefined);
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<RawHubSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.once('open', () => resolve(new RawHubSocket(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade rejected: ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  send(data: Buffer | string, binary = typeof data !== 'string'): void {
    this.ws.send(data, { binary });
  }

  waitClosed(timeoutMs = 10_000): Promise<number> {
    return Promise.race([this.closed, new Promise<number>((_, reject) => setTimeout(() => reject(new Error('socket not closed in time')), timeoutMs))]);
  }

  async waitFrames(count: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} frames, got ${this.frames.length}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
