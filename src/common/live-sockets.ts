/**
 * The port through which the hubs tell other features how many live hub sockets this instance holds (the admin
 * panel's users page). Provided by the notifications module when ENABLE_WEBSOCKET is on; absent otherwise.
 */
export abstract class LiveSockets {
  /** device id → open authenticated hub sockets of that device on this instance (devices with none are absent). */
  abstract countByDevice(deviceIds: string[]): Map<string, number>;
}
