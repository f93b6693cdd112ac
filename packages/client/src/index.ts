// `@portcullis/client`: a typed client of a Portcullis handler, for browsers and Node.js.
export {
  type ClientErrorCode,
  type ClientErrorIssue,
  isPortcullisClientError,
  PortcullisClientError,
} from './client-error.js';
export {
  createPortcullisClient,
  type PortcullisClient,
  type PortcullisClientOptions,
} from './create-client.js';
export type * from './generated/routes.js';
export type { RequestOptions } from './request-options.js';
export type { SessionData, SessionState, SessionStore } from './session-store.js';
export {
  type BroadcastChannelLike,
  type LockManagerLike,
  type TokenSet,
  type TokenStorage,
  type TokenTransportOptions,
  tokenTransport,
} from './token-transport.js';
export {
  cookieTransport,
  type OutgoingRequest,
  type Transport,
  type TransportContext,
} from './transport.js';
