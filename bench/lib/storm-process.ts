/**
 * A separate process sending wrong-password logins at a fixed rate, each from another client address
 * (X-Real-IP, believed from 127.0.0.1), the way a distributed guessing attack arrives. argv: base URL, account
 * email, requests per second, mode: `account` guesses that one account's password, `spray` tries a new
 * (unknown) email each time, so no per-account limit applies and every request costs a hash. Runs until told
 * to stop over IPC, then reports the answers it got by status.
 */
import { randomUUID } from 'node:crypto';

const [baseUrl = '', email = '', rateText = '200', mode = 'account'] = process.argv.slice(2);
const rate = Number(rateText);
const statuses: Record<string, number> = {};
let sent = 0;
let inFlight = 0;
let stopping = false;

function fire(): void {
  sent += 1;
  inFlight += 1;
  const ip = `10.${(sent >> 16) & 255}.${(sent >> 8) & 255}.${sent & 255}`;
  const body = new URLSearchParams({
    grant_type: 'password', username: mode === 'spray' ? `spray-${sent}-${email}` : email, password: `guess-${sent}`, scope: 'api offline_access', client_id: 'web',
    deviceType: '9', deviceIdentifier: randomUUID(), deviceName: 'chrome',
  }).toString();
  void fetch(`${baseUrl}/identity/connect/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Real-IP': ip }, body })
    .then(async (res) => {
      await res.arrayBuffer();
      return String(res.status);
    }, () => 'error')
    .then((status) => {
      statuses[status] = (statuses[status] ?? 0) + 1;
      inFlight -= 1;
    });
}

const started = Date.now();
const timer = setInterval(() => {
  if (stopping) return;
  // Catch up to the schedule: as many requests as the elapsed time calls for.
  const due = Math.floor(((Date.now() - started) / 1000) * rate);
  while (sent < due) fire();
}, 5);

process.send?.({ ready: true });
process.on('message', (message: { stop?: boolean }) => {
  if (!message.stop) return;
  stopping = true;
  clearInterval(timer);
  const wait = setInterval(() => {
    if (inFlight > 0) return;
    clearInterval(wait);
    process.send?.({ sent, seconds: (Date.now() - started) / 1000, statuses }, () => process.exit(0));
  }, 50);
});
