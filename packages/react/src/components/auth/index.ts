// The auth components: each file exports a headless hook (use<Name>) and the default look (<Name>).
export { describeUserAgent } from './describe-user-agent.js';
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
  type StepUp,
  StepUpDialog,
  type StepUpDialogLabels,
  type StepUpDialogProps,
  useStepUp,
} from './use-step-up.js';
