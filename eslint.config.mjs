import tseslint from 'typescript-eslint';

/**
 * The layering the house intends (docs/architecture.md): features write and emit, the bus carries, the wire
 * table decides, two consumers deliver. Each area may not import the areas listed for it.
 */
const FEATURES = ['accounts', 'admin', 'attachments', 'auth-requests', 'ciphers', 'devices', 'folders', 'identity', 'mail', 'organizations', 'sends', 'settings', 'sync', 'two-factor', 'web-vault', 'metrics', 'emergency-access', 'icons', 'import'];
const CONSUMERS = ['notifications', 'push'];
const folders = (names) => names.map((name) => `**/${name}/**`);
const forbid = (files, names, why) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns: [{ group: folders(names), message: why }] }] },
});
export const LAYERS = [
  forbid(['src/{admin,attachments,auth-requests,ciphers,devices,folders,identity,mail,organizations,sends,settings,sync,two-factor,web-vault,metrics,emergency-access,icons,import,config,db,wire,doctor}/**/*.ts'], CONSUMERS,
    'Features, the wire table and the database never call a transport: emit a domain event (src/event-bus) and let the wire table decide.'),
  forbid(['src/accounts/**/*.ts'], [...CONSUMERS, 'identity'],
    'accounts/ never calls a transport, and identity/ depends on accounts/, not the other way round.'),
  forbid(['src/mail/**/*.ts'], [...FEATURES.filter((name) => name !== 'mail'), ...CONSUMERS, 'event-bus', 'wire'],
    'mail/ is a service features call (MailService.enqueue in their transaction): it imports no feature, consumer, bus or wire table.'),
  forbid(['src/notifications/**/*.ts'], ['push'], 'The two consumers (notifications, push) are independent of each other.'),
  forbid(['src/push/**/*.ts'], ['notifications'], 'The two consumers (notifications, push) are independent of each other.'),
  forbid(['src/event-bus/**/*.ts'], [...FEATURES, ...CONSUMERS, 'wire'], 'The bus carries events and imports no feature or consumer.'),
  forbid(['src/common/**/*.ts'], ['db', 'event-bus', ...FEATURES, ...CONSUMERS, 'wire'], 'common/ is the bottom layer: it imports neither db/, event-bus/ nor any feature (define a port in common/ and let the feature provide it).'),
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**', '.bench-build/**', '.test-build-*/**', '*.js', '*.mjs', 'test/report.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  ...LAYERS,
  {
    files: ['src/**/*.ts'],
    ignores: ['src/config/app-config.ts', 'src/main.ts', 'src/db/migration-cli.ts'],
    rules: { 'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through AppConfig (src/config/app-config.ts).' }] },
  },
);
