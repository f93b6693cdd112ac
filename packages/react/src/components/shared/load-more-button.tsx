import { type ReactNode, useId } from 'react';
import { ErrorMessage } from './error-message.js';

/** Props of {@link LoadMoreButton}. */
export interface LoadMoreButtonProps {
  /** Starts loading the next page; its failure is shown through `error`. */
  onLoadMore(): void;
  pending: boolean;
  error: unknown;
  children: ReactNode;
  className?: string;
}

/** "Load more" under a paged list, with the failure of the last try beside it. */
export function LoadMoreButton({ onLoadMore, pending, error, children, className }: LoadMoreButtonProps) {
  const errorId = useId();
  return (
    <div className={className ?? 'pc-field'}>
      <button
        type="button"
        className="pc-button"
        disabled={pending}
        aria-describedby={error ? errorId : undefined}
        onClick={onLoadMore}
      >
        {children}
      </button>
      <ErrorMessage error={error} id={errorId} />
    </div>
  );
}
