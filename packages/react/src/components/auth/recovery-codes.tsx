import { useId, useState } from 'react';

/** Visible texts of {@link RecoveryCodes}. */
export interface RecoveryCodesLabels {
  title: string;
  explanation: string;
  copy: string;
  copied: string;
  copyFailed: string;
  download: string;
  done: string;
}

const RECOVERY_CODES_LABELS: RecoveryCodesLabels = {
  title: 'Recovery codes',
  explanation:
    'Each code signs you in once if you lose your authenticator. Save them somewhere safe now: they are not shown again.',
  copy: 'Copy',
  copied: 'Copied',
  copyFailed: 'Could not copy. Select the codes and copy them by hand.',
  download: 'Download',
  done: 'I have saved them',
};

/** Props of {@link RecoveryCodes}. */
export interface RecoveryCodesProps {
  codes: readonly string[];
  /** Called by the "saved them" button: the codes are then gone from the page. */
  onDone(): void;
  /** The downloaded file's name (default `recovery-codes.txt`). */
  fileName?: string;
  labels?: Partial<RecoveryCodesLabels>;
}

/** Recovery codes, shown once, with Copy and Download. */
export function RecoveryCodes({ codes, onDone, fileName, labels: overrides }: RecoveryCodesProps) {
  const labels = { ...RECOVERY_CODES_LABELS, ...overrides };
  const titleId = useId();
  const [copyState, setCopyState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const text = `${codes.join('\n')}\n`;
  return (
    <section className="pc-auth-recovery-codes" aria-labelledby={titleId}>
      <h3 id={titleId} className="pc-auth-subtitle">
        {labels.title}
      </h3>
      <p className="pc-hint">{labels.explanation}</p>
      <ul className="pc-auth-code-list">
        {codes.map((code) => (
          <li key={code} className="pc-secret">
            {code}
          </li>
        ))}
      </ul>
      <div className="pc-auth-actions">
        <button
          type="button"
          className="pc-button"
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(text);
              setCopyState('copied');
            } catch {
              setCopyState('failed');
            }
          }}
        >
          {labels.copy}
        </button>
        <button
          type="button"
          className="pc-button"
          onClick={() => download(fileName ?? 'recovery-codes.txt', text)}
        >
          {labels.download}
        </button>
        <button type="button" className="pc-button pc-button-primary" onClick={onDone}>
          {labels.done}
        </button>
      </div>
      <p className="pc-hint" aria-live="polite">
        {copyState === 'copied' ? labels.copied : copyState === 'failed' ? labels.copyFailed : null}
      </p>
    </section>
  );
}

function download(fileName: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // after the click has started the download: revoking at once cancels it in some browsers
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
