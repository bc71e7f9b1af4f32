// test/support/hub-client.ts (TEST CODE ONLY)
import { HttpTransportType, HubConnection, HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';

/** The single argument of a `ReceiveMessage` invocation, as @microsoft/signalr hands it over. */
export interface HubNotification {
  ContextId: string | null;
  Type: number;
  Payload: Record<string, unknown>; // dates arrive as JS Date (MessagePack timestamp extension -1)
}

export class HubClient {
  private readonly seen: HubNotification[] = [];
  private readonly waiters = new Set<(n: HubNotification) => void>();

  private constructor(readonly connection: HubConnection) {
    connection.on('ReceiveMessage', (n: HubNotification) => {
      this.seen.push(n);
      for (const waiter of [...this.waiters]) waiter(n);
    });
    connection.on('Heartbeat', () => undefined); // official clients register it and ignore it
  }

  /**
   * Connects like the web vault, desktop app and browser extension do. `baseUrl` is https://host[:port][/path].
   * tokenIn 'header' is what @microsoft/signalr does in Node; 'query' reproduces a browser (?access_token=).
   */
  static async connect(baseUrl: string, accessToken: string, tokenIn: 'header' | 'query' = 'header'): Promise<HubClient> {
    const hubUrl = `${baseUrl.replace(/\/$/, '')}/notifications/hub`;
    const connection = new HubConnectionBuilder()
      .withUrl(tokenIn === 'query' ? `${hubUrl}?access_token=${encodeURIComponent(accessToken)}` : hubUrl, {
        skipNegotiation: true,
        transport: HttpTransportType.WebSockets,
        ...(tokenIn === 'header' ? { accessTokenFactory: () => accessToken } : {}),
      })
      .withHubProtocol(new MessagePackHubProtocol())
      .configureLogging(LogLevel.Warning)
      .build(); // no withAutomaticReconnect(): the official clients do not use it
    const client = new HubClient(connection);
    await connection.start(); // resolves after the server's handshake reply
    return client;
  }

  /** Resolves with the first notification, already received or still to come, that matches. */
  waitFor(predicate: (n: HubNotification) => boolean, timeoutMs = 10_000): Promise<HubNotification> {
    const earlier = this.seen.find(predicate);
    if (earlier) return Promise.resolve(earlier);
    return new Promise((resolve, reject) => {
      const waiter = (n: HubNotification): void => {
        if (!predicate(n)) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(n);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no matching ReceiveMessage within ${timeoutMs} ms; got ${JSON.stringify(this.seen)}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** The notifications received so far that match. */
  received(predicate: (n: HubNotification) => boolean): HubNotification[] {
    return this.seen.filter(predicate);
  }

  /** Forgets what was received so far (call before the action under test). */
  clear(): void {
    this.seen.length = 0;
  }

  stop(): Promise<void> {
    return this.connection.stop();
  }
}
