import { checkSchemaVersion, highestVersion, KNOWN_SCHEMA_VERSIONS, UnknownSchemaVersionError } from './schema-version';

describe('Vaultwarden schema version check', () => {
  const history = ['20180114171611', '20240313', '20250820120000', '20260309005927', '20260425120000', '20260505120000'];

  it('takes the highest version numerically (short diesel versions included)', () => {
    expect(highestVersion(['20240313', '20240226170000'])).toBe('20240313');
    expect(highestVersion(history)).toBe('20260505120000');
    expect(highestVersion([])).toBeNull();
  });

  it('accepts a known version (Vaultwarden 1.37.x, 1.36.x)', () => {
    expect(checkSchemaVersion(history)).toBe('20260505120000');
    expect(KNOWN_SCHEMA_VERSIONS).toContain('20260505120000');
  });

  it('refuses an older or newer one, naming it and the versions understood', () => {
    expect(checkSchemaVersion(history.slice(0, -1))).toBe('20260425120000');
    expect(() => checkSchemaVersion(history.slice(0, -2))).toThrow('Unknown Vaultwarden schema version 20260309005927; this importer understands 20260505120000, 20260425120000');
    expect(() => checkSchemaVersion([...history, '20270101000000'])).toThrow(UnknownSchemaVersionError);
    expect(() => checkSchemaVersion([])).toThrow(/Unknown Vaultwarden schema version \(none/);
  });
});
