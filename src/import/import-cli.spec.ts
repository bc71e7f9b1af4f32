import { parseCliArguments } from './import-cli';

describe('import:vaultwarden arguments', () => {
  it('takes the Vaultwarden DATA_FOLDER as the argument, or --data-folder with --database-url', () => {
    expect(parseCliArguments(['/srv/vw/data'])).toEqual({ vaultwardenFolder: '/srv/vw/data', databaseUrl: undefined, dryRun: false, force: false });
    expect(parseCliArguments(['--database-url', 'postgresql://vw@db/vw', '--data-folder', '/srv/vw/data', '--dry-run'])).toEqual({
      vaultwardenFolder: '/srv/vw/data', databaseUrl: 'postgresql://vw@db/vw', dryRun: true, force: false,
    });
    expect(parseCliArguments(['/srv/vw/data', '--force']).force).toBe(true);
  });

  it('refuses no folder, two folders, or an unknown option, with the usage', () => {
    expect(() => parseCliArguments([])).toThrow(/usage: npm run import:vaultwarden/);
    expect(() => parseCliArguments(['a', 'b'])).toThrow(/usage/);
    expect(() => parseCliArguments(['a', '--wat'])).toThrow();
  });
});
