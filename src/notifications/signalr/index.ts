/**
 * Pure SignalR hub-protocol codec (no Nest, no I/O). The two wire codecs share the same function names and
 * are therefore exported as namespaces (`messagePack`, `json`); the gateway normally uses
 * {@link getHubProtocol} / {@link messagePackProtocol} / {@link jsonProtocol}.
 */
export * from './hub-message';
export * from './hub-timestamp';
export * from './varint';
export * from './handshake';
export * from './hub-protocol';
export * as messagePack from './messagepack';
export * as json from './json';
export { camelCaseKey, toCamelCaseKeys } from './json';
