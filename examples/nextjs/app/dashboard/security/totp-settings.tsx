'use client';

import { useActionState } from 'react';
import {
  confirmTotpAction,
  disableTotpAction,
  regenerateRecoveryCodesAction,
  setUpTotpAction,
  type TotpState,
} from '../../actions';

/**
 * TOTP on or off. Off: start an enrolment (the secret and its otpauth:// URI, to type or paste
 * into an authenticator app), confirm it with a first code, see the 10 recovery codes once.
 * Each asks for the password again (a recent sign-in), the confirmation aside: it follows the
 * setup within minutes.
 */
export function TotpSettings({ enabled }: { enabled: boolean }) {
  const [setup, setUp, settingUp] = useActionState(setUpTotpAction, {});
  const [confirmed, confirm, confirming] = useActionState(confirmTotpAction, {});
  const [regenerated, regenerate, regenerating] = useActionState(regenerateRecoveryCodesAction, {});
  const [disabled, disable, disabling] = useActionState(disableTotpAction, {});
  const recoveryCodes = confirmed.recoveryCodes ?? regenerated.recoveryCodes;

  if (recoveryCodes) return <RecoveryCodes codes={recoveryCodes} />;
  if (enabled) {
    return (
      <>
        <form action={regenerate} className="inline">
          <PasswordField />
          <button type="submit" disabled={regenerating}>
            New recovery codes
          </button>
          <Problem state={regenerated} />
        </form>
        <form action={disable} className="inline">
          <PasswordField />
          <button type="submit" disabled={disabling}>
            Turn off
          </button>
          <Problem state={disabled} />
        </form>
      </>
    );
  }
  return (
    <>
      <form action={setUp} className="inline">
        <PasswordField />
        <button type="submit" disabled={settingUp}>
          Set up an authenticator app
        </button>
        <Problem state={setup} />
      </form>
      {setup.setup ? (
        <div className="notice">
          <p>Add this account to an authenticator app, then enter the 6-digit code it shows.</p>
          <label>
            Secret
            <input readOnly value={setup.setup.secret} data-testid="totp-secret" />
          </label>
          <label>
            otpauth:// URI
            <input readOnly value={setup.setup.otpauthUri} data-testid="totp-uri" />
          </label>
          <form action={confirm} className="inline">
            <label>
              Code from the app
              <input name="code" inputMode="numeric" autoComplete="one-time-code" required />
            </label>
            <button type="submit" disabled={confirming}>
              Turn on
            </button>
            <Problem state={confirmed} />
          </form>
        </div>
      ) : null}
    </>
  );
}

function RecoveryCodes({ codes }: { codes: string[] }) {
  return (
    <div className="notice">
      <p>
        <strong>Your recovery codes</strong>, shown this once: keep them somewhere safe. Each one signs you in
        once if you lose your authenticator app.
      </p>
      <ol className="recovery-codes" data-testid="recovery-codes">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ol>
    </div>
  );
}

function PasswordField() {
  return (
    <label>
      Password
      <input name="password" type="password" autoComplete="current-password" required />
    </label>
  );
}

function Problem({ state }: { state: TotpState }) {
  return state.error ? (
    <p role="alert" className="error">
      {state.error}
    </p>
  ) : null;
}
