/** Bitwarden's list envelope. */
export interface ListResponseDto<T> {
  data: T[];
  object: 'list';
  continuationToken: null;
}

export function toListResponse<T>(data: T[]): ListResponseDto<T> {
  return { data, object: 'list', continuationToken: null };
}
