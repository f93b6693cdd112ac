/**
 * A date the way the reader's locale writes it ("12 Mar 2026"). Only lists fetched in the browser
 * show dates, so the server and the browser never render one differently.
 */
export function formatDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(date);
}
