import { adminTestMail } from './admin';
import {
  emergencyAccessAcceptedMail, emergencyAccessConfirmedMail, emergencyAccessInviteMail, emergencyAccessRecoveryApprovedMail, emergencyAccessRecoveryInitiatedMail,
  emergencyAccessRecoveryRejectedMail, emergencyAccessRecoveryReminderMail, emergencyAccessRecoveryTimedOutMail,
} from './emergency-access';
import { changeEmailMail, deleteAccountMail, newDeviceLoginMail, passwordHintMail, registerVerifyEmailMail, userInviteMail, verifyEmailMail } from './account';
import { MailContext, RenderedMail } from './html';
import { orgInviteMail } from './org-invite';
import { orgUserAcceptedMail } from './org-user-accepted';
import { incompleteTwoFactorLoginMail, twoFactorCodeMail } from './two-factor';

export type { ChangeEmailParams, DeleteAccountParams, NewDeviceLoginParams, PasswordHintParams, RegisterVerifyEmailParams, UserInviteParams, VerifyEmailParams } from './account';
export type { AdminTestParams } from './admin';
export type { EmergencyAccessInviteParams, EmergencyAccessKind } from './emergency-access';
export type { MailContext, RenderedMail } from './html';
export type { OrgInviteParams } from './org-invite';
export type { OrgUserAcceptedParams } from './org-user-accepted';
export type { IncompleteTwoFactorLoginParams, TwoFactorCodeParams, TwoFactorCodePurpose } from './two-factor';

/** Every mail the server sends, by template name (the name is what logs show of a mail). */
export const MAIL_TEMPLATES = {
  'org-invite': orgInviteMail,
  'org-user-accepted': orgUserAcceptedMail,
  'two-factor-code': twoFactorCodeMail,
  'incomplete-two-factor-login': incompleteTwoFactorLoginMail,
  'verify-email': verifyEmailMail,
  'register-verify-email': registerVerifyEmailMail,
  'new-device-login': newDeviceLoginMail,
  'change-email': changeEmailMail,
  'admin-test': adminTestMail,
  'user-invite': userInviteMail,
  'emergency-access-invite': emergencyAccessInviteMail,
  'emergency-access-accepted': emergencyAccessAcceptedMail,
  'emergency-access-confirmed': emergencyAccessConfirmedMail,
  'emergency-access-recovery-initiated': emergencyAccessRecoveryInitiatedMail,
  'emergency-access-recovery-approved': emergencyAccessRecoveryApprovedMail,
  'emergency-access-recovery-rejected': emergencyAccessRecoveryRejectedMail,
  'emergency-access-recovery-reminder': emergencyAccessRecoveryReminderMail,
  'emergency-access-recovery-timed-out': emergencyAccessRecoveryTimedOutMail,
  'password-hint': passwordHintMail,
  'delete-account': deleteAccountMail,
} as const satisfies Record<string, (context: MailContext, params: never) => RenderedMail>;

export type MailTemplateName = keyof typeof MAIL_TEMPLATES;
export type MailTemplateParams<N extends MailTemplateName> = Parameters<(typeof MAIL_TEMPLATES)[N]>[1];

export function renderMail<N extends MailTemplateName>(name: N, context: MailContext, params: MailTemplateParams<N>): RenderedMail {
  const template = MAIL_TEMPLATES[name] as (context: MailContext, params: MailTemplateParams<N>) => RenderedMail;
  return template(context, params);
}
