import type { ReactNode } from 'react';

/** The signed-out pages' column: a heading and a line, then the component's own card. */
export function AuthPage({
  title,
  intro,
  children,
}: {
  title: string;
  intro?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="app-narrow app-auth-page">
      <header className="app-auth-header">
        <h1>{title}</h1>
        {intro ? <p className="app-muted">{intro}</p> : null}
      </header>
      {children}
    </div>
  );
}
