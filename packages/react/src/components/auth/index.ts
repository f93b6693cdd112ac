// The auth components: each file exports a headless hook (use<Name>) and the default look (<Name>).
export {
  ChangePasswordForm,
  type ChangePasswordFormLabels,
  type ChangePasswordFormProps,
  type ChangePasswordFormState,
  useChangePasswordForm,
} from './change-password-form.js';
export { describeUserAgent } from './describe-user-agent.js';
export {
  EmailVerification,
  type EmailVerificationLabels,
  type EmailVerificationProps,
  type EmailVerificationState,
  useEmailVerification,
} from './email-verification.js';
export type { FieldInputProps, FormField } from './form-field.js';
export {
  LoginForm,
  type LoginFormLabels,
  type LoginFormProps,
  type LoginFormState,
  type LoginMethods,
  type LoginProvider,
  useLoginForm,
} from './login-form.js';
export {
  MagicLinkVerification,
  type MagicLinkVerificationLabels,
  type MagicLinkVerificationProps,
  type MagicLinkVerificationState,
  useMagicLinkVerification,
} from './magic-link-verification.js';
export {
  PasskeyList,
  type PasskeyListLabels,
  type PasskeyListProps,
  type PasskeyListState,
  usePasskeyList,
} from './passkey-list.js';
export {
  PasswordResetForm,
  type PasswordResetFormLabels,
  type PasswordResetFormProps,
  type PasswordResetFormState,
  usePasswordResetForm,
} from './password-reset-form.js';
export {
  PasswordResetRequest,
  type PasswordResetRequestLabels,
  type PasswordResetRequestProps,
  type PasswordResetRequestState,
  usePasswordResetRequest,
} from './password-reset-request.js';
export { QrCode, type QrCodeProps } from './qr-code.js';
export { RecoveryCodes, type RecoveryCodesLabels, type RecoveryCodesProps } from './recovery-codes.js';
export {
  SecondFactor,
  type SecondFactorChallenge,
  type SecondFactorLabels,
  type SecondFactorProps,
  type SecondFactorState,
  useSecondFactor,
} from './second-factor.js';
export {
  SessionList,
  type SessionListItem,
  type SessionListLabels,
  type SessionListProps,
  type SessionListState,
  useSessionList,
} from './session-list.js';
export {
  SignupForm,
  type SignupFormLabels,
  type SignupFormProps,
  type SignupFormState,
  useSignupForm,
} from './signup-form.js';
export {
  TotpSetup,
  type TotpSetupLabels,
  type TotpSetupProps,
  type TotpSetupState,
  useTotpSetup,
} from './totp-setup.js';
export {
  type StepUp,
  StepUpDialog,
  type StepUpDialogLabels,
  type StepUpDialogProps,
  useStepUp,
} from './use-step-up.js';
export {
  UserProfile,
  type UserProfileLabels,
  type UserProfileProps,
  type UserProfileSections,
  type UserProfileState,
  useUserProfile,
} from './user-profile.js';
