import { describe, expectTypeOf, it } from 'vitest';
import {
  type ClientErrorCode,
  type CreateApiKeyBody,
  type CreateApiKeyResponse,
  createPortcullisClient,
  isPortcullisClientError,
  type ListMembersQuery,
  type ListMembersResponse,
  type PortcullisClient,
  type RequestOptions,
  type SignInBody,
  type SignInResponse,
} from '../src/index.js';

// Signatures pinned for the type checker (`pnpm typecheck` fails when one changes): the types are
// generated from the routes, so a route change that breaks callers shows up here first.

type Members = PortcullisClient['tenants']['members'];
type ApiKeys = PortcullisClient['tenants']['apiKeys'];

describe('client types', () => {
  it('pins signIn', () => {
    expectTypeOf<PortcullisClient['signIn']>().parameters.toEqualTypeOf<
      [body: SignInBody, options?: RequestOptions]
    >();
    expectTypeOf<PortcullisClient['signIn']>().returns.toEqualTypeOf<Promise<SignInResponse>>();
    expectTypeOf<SignInBody>().toHaveProperty('email').toEqualTypeOf<string>();
    expectTypeOf<SignInBody['delivery']>().toEqualTypeOf<'cookie' | 'token' | undefined>();
    expectTypeOf<Extract<SignInResponse, { mfaRequired: true }>['challengeId']>().toEqualTypeOf<string>();
  });

  it('pins tenants.members.list: the path parameter first, then the query', () => {
    expectTypeOf<Members['list']>().parameters.toEqualTypeOf<
      [tenantId: string, query?: ListMembersQuery, options?: RequestOptions]
    >();
    expectTypeOf<Members['list']>().returns.toEqualTypeOf<Promise<ListMembersResponse>>();
    expectTypeOf<ListMembersResponse['nextCursor']>().toEqualTypeOf<string | null>();
  });

  it('pins tenants.apiKeys.create: the path parameter, then the body', () => {
    expectTypeOf<ApiKeys['create']>().parameters.toEqualTypeOf<
      [tenantId: string, body: CreateApiKeyBody, options?: RequestOptions]
    >();
    expectTypeOf<ApiKeys['create']>().returns.toEqualTypeOf<Promise<CreateApiKeyResponse>>();
    expectTypeOf<CreateApiKeyResponse>().toHaveProperty('key').toEqualTypeOf<string>();
  });

  it('knows the server’s error codes and no others', () => {
    expectTypeOf<'invalid_credentials'>().toExtend<ClientErrorCode>();
    expectTypeOf<'network_error'>().toExtend<ClientErrorCode>();
    expectTypeOf<'no_such_code'>().not.toExtend<ClientErrorCode>();
    const check = (error: unknown) => {
      isPortcullisClientError(error, 'step_up_required');
      // @ts-expect-error: not a code the server or the client has
      isPortcullisClientError(error, 'no_such_code');
    };
    expectTypeOf(check).toBeFunction();
  });

  it('rejects a call without its path parameter or with a wrong body', () => {
    const calls = () => {
      const real = createPortcullisClient({ baseUrl: '/auth' });
      // @ts-expect-error: the tenant id is missing
      void real.tenants.members.list({ limit: 10 });
      // @ts-expect-error: `password` is required
      void real.signIn({ email: 'a@example.com' });
    };
    expectTypeOf(calls).toBeFunction();
  });
});
