import { resourceVerifier } from '../../../../lib/resource-server';

/** A route of the example's resource API: who the bearer access token speaks for. */
export async function GET(request: Request): Promise<Response> {
  const principal = await resourceVerifier().authenticate(request);
  if (principal instanceof Response) return principal;
  return Response.json(
    {
      type: principal.type,
      id: principal.id,
      tenantId: principal.tenantId,
      clientId: principal.clientId,
      scopes: principal.scopes,
    },
    { headers: { 'cache-control': 'no-store' } },
  );
}
