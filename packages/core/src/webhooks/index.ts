export {
  type CheckWebhookUrlOptions,
  checkWebhookUrl,
  DEFAULT_WEBHOOK_HTTP_PORTS,
  DEFAULT_WEBHOOK_HTTPS_PORTS,
  type WebhookTarget,
} from './check-webhook-url.js';
export {
  createPinnedDispatcher,
  type PinnedDispatcher,
  type PinnedDispatcherOptions,
  type ResolvedAddress,
  systemResolver,
  type WebhookResolver,
} from './pinned-dispatcher.js';
export {
  DEFAULT_WEBHOOK_MAX_RESPONSE_BYTES,
  DEFAULT_WEBHOOK_TIMEOUT_MS,
  type SendWebhookRequestOptions,
  sendWebhookRequest,
  type WebhookResponse,
} from './send-webhook-request.js';
export { type AddressPolicyOptions, type AddressVerdict, judgeAddress } from './webhook-address-policy.js';
