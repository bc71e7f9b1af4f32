import { ConfigError } from '../../src/config/app-config';
import { createTestApp } from '../support/app';

const ID = '3b1f6a2e-9c4d-4e8f-a1b2-c3d4e5f60718';
const on = { PUSH_ENABLED: 'true', PUSH_INSTALLATION_ID: ID, PUSH_INSTALLATION_KEY: 'k3y' };

/** Start-up validation: a bad push configuration stops the start with a line that names the variable. */
describe('push configuration at start-up (notifications.md §10.1)', () => {
  it.each([
    [{ PUSH_ENABLED: 'true' }, ['PUSH_INSTALLATION_ID: required when PUSH_ENABLED=true', 'PUSH_INSTALLATION_KEY: required when PUSH_ENABLED=true']],
    [{ ...on, PUSH_INSTALLATION_KEY: '' }, ['PUSH_INSTALLATION_KEY: required when PUSH_ENABLED=true']],
    [{ ...on, PUSH_INSTALLATION_ID: 'not-a-uuid' }, ['PUSH_INSTALLATION_ID: the value is not an installation id']],
    [{ ...on, PUSH_RELAY_URI: 'http://push.bitwarden.com' }, ['PUSH_RELAY_URI: "http://push.bitwarden.com" must start with https://']],
    [{ ...on, PUSH_IDENTITY_URI: 'identity.bitwarden.com' }, ['PUSH_IDENTITY_URI: "identity.bitwarden.com" is not an absolute URL']],
    [{ ...on, PUSH_RELAY_URI: 'https://push.bitwarden.com/?x=1' }, ['PUSH_RELAY_URI: "https://push.bitwarden.com/?x=1" must not carry a query string or fragment']],
    [{ ...on, PUSH_IDENTITY_URI: 'https://identity.bitwarden.com/#top' }, ['PUSH_IDENTITY_URI: "https://identity.bitwarden.com/#top" must not carry a query string or fragment']],
    [{ ...on, PUSH_RELAY_URI: 'https://api.bitwarden.eu' }, ['PUSH_RELAY_URI: api.bitwarden.eu (EU) and PUSH_IDENTITY_URI identity.bitwarden.com (US) are in different regions']],
    [{ ...on, PUSH_IDENTITY_URI: 'https://identity.bitwarden.eu' }, ['PUSH_RELAY_URI: push.bitwarden.com (US) and PUSH_IDENTITY_URI identity.bitwarden.eu (EU) are in different regions']],
    [{ ...on, PUSH_INSTALLATION_KEY_FILE: '/does/not/exist', PUSH_INSTALLATION_KEY: undefined }, ['PUSH_INSTALLATION_KEY_FILE: cannot read the file it names']],
  ])('%j refuses to start', async (env, messages) => {
    const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>;
    const error = await createTestApp(clean).then(
      async (t) => {
        await t.close();
        return null;
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(messages.length);
    messages.forEach((message, i) => expect(problems[i]).toContain(message));
  });
});
