/**
 * The bench side of bench/lib/delivery-swarm.ts: forks the socket-holding process and asks it things over IPC
 * (`open`, `report`, `close`), resolving with the first reply that `until` accepts.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';

export type SwarmReply = { ready?: boolean; opened?: number; error?: string; frames?: number; receipts?: Record<string, number[]>; closed?: boolean };

export interface DeliverySwarm { ask(message: object, until: (reply: SwarmReply) => boolean): Promise<SwarmReply> }

export function deliverySwarm(): DeliverySwarm {
  const child = fork(join(__dirname, 'delivery-swarm.js'), [], { stdio: 'inherit' });
  return {
    ask: (message, until) => new Promise((resolve, reject) => {
      const listener = (reply: SwarmReply): void => {
        if (reply.error) reject(new Error(reply.error));
        else if (until(reply)) {
          child.off('message', listener);
          resolve(reply);
        }
      };
      child.on('message', listener);
      if (Object.keys(message).length > 0) child.send(message);
    }),
  };
}
