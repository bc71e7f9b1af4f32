/** The port through which the push module tells the admin panel its relay and outbox state (features never import push). */
export abstract class PushState {
  abstract describe(): Promise<Record<string, string | number | boolean | null>>;
}
