import { parse } from 'pg-connection-string';
import { parsePgConninfo, pgConninfoToUrl } from './pg-conninfo';

const pairs = (text: string): Record<string, string> => {
  const result = parsePgConninfo(text);
  if ('error' in result) throw new Error(result.error);
  return Object.fromEntries(result.pairs);
};
const urlOf = (text: string): URL => {
  const result = pgConninfoToUrl(text);
  if ('error' in result) throw new Error(result.error);
  return new URL(result.url);
};

describe('PostgreSQL keyword/value connection strings', () => {
  it('libpq quoting: bare values, quoted values, backslash escapes, spaces around =', () => {
    expect(pairs("host=db  port = 5432 dbname='my db' user=vw password='a\\'b\\\\c' application_name=vault\\ wave")).toEqual({
      host: 'db', port: '5432', dbname: 'my db', user: 'vw', password: "a'b\\c", application_name: 'vault wave',
    });
    expect(pairs("password='' host=db")).toEqual({ password: '', host: 'db' });
    expect(pairs('HOST=db')).toEqual({ host: 'db' });
  });

  it.each([
    ["host=db password='open", /the quoted value of "password" is not closed/],
    ['host=db password=', /"password" has no value/],
    ['host=db user', /"user" is not followed by "="/],
    ['host=db nonsense=1', /word 2 is not a PostgreSQL connection keyword/],
    ["host='db'x", /unexpected text after the quoted value of "host"/],
  ])('%s is refused: %s', (text, pattern) => {
    const result = parsePgConninfo(text);
    expect('error' in result && result.error).toMatch(pattern);
  });

  it('becomes a URL with every part percent-encoded', () => {
    const url = urlOf("host=db.internal port=6543 dbname=vault user='v w' password='p@ss:/word?#' sslmode=verify-full application_name=vw");
    expect(url.protocol).toBe('postgresql:');
    expect(url.hostname).toBe('db.internal');
    expect(url.port).toBe('6543');
    expect(url.pathname).toBe('/vault');
    expect(decodeURIComponent(url.username)).toBe('v w');
    expect(decodeURIComponent(url.password)).toBe('p@ss:/word?#');
    expect(url.searchParams.get('sslmode')).toBe('verify-full');
    expect(url.searchParams.get('application_name')).toBe('vw');
  });

  it('an IPv6 host is bracketed; a socket folder goes in the query; hostaddr stands in for host', () => {
    expect(urlOf('host=::1 dbname=vw').host).toBe('[::1]');
    const socket = urlOf('host=/var/run/postgresql port=5433 dbname=vw user=vw');
    expect(socket.searchParams.get('host')).toBe('/var/run/postgresql');
    expect(socket.port).toBe('5433');
    expect(urlOf('hostaddr=10.0.0.5 dbname=vw').hostname).toBe('10.0.0.5');
  });

  it('libpq keywords the driver does not use are named to warn about; several hosts and bad ports are refused', () => {
    const result = pgConninfoToUrl('host=db dbname=vw channel_binding=require passfile=/x');
    expect('ignored' in result && result.ignored).toEqual(['channel_binding', 'passfile']);
    expect(pgConninfoToUrl('host=a,b dbname=vw')).toEqual({ error: 'several hosts (host=a,b) are not supported; name one host' });
    expect(pgConninfoToUrl('host=a port=x')).toEqual({ error: 'port "x" is not a port number' });
  });

  it('the driver (node-postgres\' own parser) reads back exactly what the keywords said', () => {
    const read = (text: string) => {
      const result = pgConninfoToUrl(text);
      if ('error' in result) throw new Error(result.error);
      return parse(result.url);
    };
    expect(read("host=db.internal port=6543 dbname=vault user='v w' password='p@ss:/word?# %41' sslmode=disable")).toMatchObject({
      host: 'db.internal', port: '6543', database: 'vault', user: 'v w', password: 'p@ss:/word?# %41', sslmode: 'disable',
    });
    expect(read('host=/var/run/postgresql port=5433 dbname=vw user=vw password=x')).toMatchObject({ host: '/var/run/postgresql', port: '5433', database: 'vw', user: 'vw', password: 'x' });
    expect(read('host=::1 dbname=vw user=vw')).toMatchObject({ host: '::1', database: 'vw' });
  });
});
