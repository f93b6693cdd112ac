/** Called once when the server starts (`next start`, `next dev`), before it takes a request. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { checkConfigurationAtStart } = await import('./lib/secret');
  checkConfigurationAtStart();
}
