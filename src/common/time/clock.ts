import { Injectable } from '@nestjs/common';

/** The one source of "now" for services, so tests can control time. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}

/** Bitwarden REST date: ISO 8601 UTC with milliseconds, e.g. 2026-11-27T22:24:15.050Z. */
export function toApiDate(date: Date): string;
export function toApiDate(date: Date | null | undefined): string | null;
export function toApiDate(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}

/** RFC 3339 UTC with exactly six fractional digits (relay, JSON hub), e.g. 2024-05-01T12:34:56.789000Z. */
export function toMicrosDate(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000Z`;
}
