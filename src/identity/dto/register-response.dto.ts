/** POST /identity/accounts/register[/finish] (bitwarden/server RegisterResponseModel). */
export interface RegisterResponseDto {
  object: 'register';
  captchaBypassToken: string;
}

export function toRegisterResponse(): RegisterResponseDto {
  return { object: 'register', captchaBypassToken: '' };
}
