// TEST CODE ONLY: the anonymous hub, configured as bitwarden/clients anonymous-hub.service does.
import { HttpTransportType, HubConnection, HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';

export interface AnonymousMessage { Type: number; Payload: { Id: string; UserId: string }; UserId: string }

/** Subscribes to `/notifications/anonymous-hub?Token=<token>` under `baseUrl` and records every message. */
export async function anonymousHub(baseUrl: string, token: string): Promise<{ connection: HubConnection; received: AnonymousMessage[] }> {
  const received: AnonymousMessage[] = [];
  const connection = new HubConnectionBuilder()
    .withUrl(`${baseUrl}/notifications/anonymous-hub?Token=${token}`, { skipNegotiation: true, transport: HttpTransportType.WebSockets })
    .withHubProtocol(new MessagePackHubProtocol())
    .configureLogging(LogLevel.Warning)
    .build();
  connection.on('AuthRequestResponseRecieved', (message: AnonymousMessage) => {
    received.push(message);
  });
  await connection.start();
  return { connection, received };
}

/** Polls `check` until it holds. */
export async function waitUntil(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
