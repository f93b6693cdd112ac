import type { Session } from '@portcullis/client';
import { type ReactNode, useId, useMemo } from 'react';
import { useSessions } from '../../hooks/use-account.js';
import { ConfirmButton } from '../shared/confirm-button.js';
import { ErrorMessage } from '../shared/error-message.js';
import { describeUserAgent } from './describe-user-agent.js';
import { formatRelative } from './format-relative.js';

/** One row of {@link SessionList}. */
export interface SessionListItem {
  id: string;
  /** A readable device name from the user agent: "Chrome on macOS". */
  device: string;
  ip: string | null;
  lastSeenAt: Date;
  createdAt: Date;
  /** The session of this browser. */
  current: boolean;
  session: Session;
}

/** What {@link useSessionList} returns. */
export interface SessionListState {
  /** This device first, then the most recently active. */
  sessions: SessionListItem[];
  isLoading: boolean;
  /** The list's load error. */
  error: unknown;
  /** Whether other sessions than this one exist. */
  hasOthers: boolean;
  /** Signs one session out (for a `ConfirmButton`: it shows the error beside itself). */
  revoke(sessionId: string): Promise<void>;
  /** Signs every other session out. */
  revokeOthers(): Promise<void>;
}

/** The signed-in user's sessions (`GET /sessions`) as rows with device names, and revoking them. */
export function useSessionList(): SessionListState {
  const { sessions, isLoading, error, revoke, revokeOthers } = useSessions();
  const items = useMemo(
    () =>
      sessions
        .map((session) => ({
          id: session.id,
          device: describeUserAgent(session.userAgent),
          ip: session.ip,
          lastSeenAt: new Date(session.lastSeenAt),
          createdAt: new Date(session.createdAt),
          current: session.current,
          session,
        }))
        .sort(
          (a, b) => Number(b.current) - Number(a.current) || b.lastSeenAt.getTime() - a.lastSeenAt.getTime(),
        ),
    [sessions],
  );
  return {
    sessions: items,
    isLoading,
    error,
    hasOthers: items.some((item) => !item.current),
    revoke,
    revokeOthers,
  };
}

/** Visible texts of {@link SessionList}. */
export interface SessionListLabels {
  title: string;
  description: string;
  loading: string;
  thisDevice: string;
  /** "Last active 5 minutes ago". */
  lastActive(at: Date): ReactNode;
  ip(ip: string): ReactNode;
  revoke: string;
  revokeQuestion(device: string): ReactNode;
  revokeOthers: string;
  revokeOthersQuestion: string;
}

const SESSION_LIST_LABELS: SessionListLabels = {
  title: 'Sessions',
  description: 'Where you are signed in. Sign out any device you do not recognise.',
  loading: 'Loading sessions…',
  thisDevice: 'This device',
  lastActive: (at) => <>Last active {formatRelative(at)}</>,
  ip: (ip) => <>IP {ip}</>,
  revoke: 'Revoke',
  revokeQuestion: (device) => <>Sign out {device}?</>,
  revokeOthers: 'Revoke other sessions',
  revokeOthersQuestion: 'Sign out every other device?',
};

/** Props of {@link SessionList}. */
export interface SessionListProps {
  labels?: Partial<SessionListLabels>;
  className?: string;
}

/**
 * The signed-in user's sessions: device, IP, last activity, "This device", "Revoke" for each
 * other one and "Revoke other sessions".
 *
 * @example
 * <SessionList />
 */
export function SessionList(props: SessionListProps) {
  const labels = { ...SESSION_LIST_LABELS, ...props.labels };
  const state = useSessionList();
  const titleId = useId();
  return (
    <section className={props.className ?? 'pc-card pc-auth-sessions'} aria-labelledby={titleId}>
      <h2 id={titleId} className="pc-card-title">
        {labels.title}
      </h2>
      <p className="pc-hint">{labels.description}</p>
      {state.isLoading ? <p className="pc-hint">{labels.loading}</p> : null}
      <ErrorMessage error={state.error} />
      <ul className="pc-list">
        {state.sessions.map((item) => (
          <li key={item.id} className="pc-list-item">
            <div className="pc-auth-item-text">
              <strong>{item.device}</strong>
              {item.current ? <span className="pc-badge">{labels.thisDevice}</span> : null}
              <span className="pc-hint">
                {item.ip ? <>{labels.ip(item.ip)} · </> : null}
                <time dateTime={item.lastSeenAt.toISOString()} title={item.lastSeenAt.toLocaleString()}>
                  {labels.lastActive(item.lastSeenAt)}
                </time>
              </span>
            </div>
            {item.current ? null : (
              <ConfirmButton
                question={labels.revokeQuestion(item.device)}
                onConfirm={() => state.revoke(item.id)}
              >
                {labels.revoke}
              </ConfirmButton>
            )}
          </li>
        ))}
      </ul>
      {state.hasOthers ? (
        <div className="pc-auth-actions">
          <ConfirmButton question={labels.revokeOthersQuestion} onConfirm={state.revokeOthers}>
            {labels.revokeOthers}
          </ConfirmButton>
        </div>
      ) : null}
    </section>
  );
}
