import type { ReactNode } from 'react';

/** The centred card of the signed-out pages. */
export function AuthCard({
  title,
  intro,
  children,
  footer,
}: {
  title: string;
  intro?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
}) {
  return (
    <section className="app-auth-card pc-card">
      <h1>{title}</h1>
      {intro ? <p className="app-muted">{intro}</p> : null}
      {children}
      {footer ? <footer className="app-auth-footer">{footer}</footer> : null}
    </section>
  );
}
