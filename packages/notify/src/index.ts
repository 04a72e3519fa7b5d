export type { AlertNotification, AlertSeverity, AlertState } from './alert-notification.js';
export type { DeliveryCounters, DeliveryResult, NotificationReceiver } from './delivery.js';
export type { RetryEvent } from './retrying-delivery.js';
export { NotifyConfigError } from './config-error.js';
export {
  createWebhookReceiver,
  DELIVERY_ID_HEADER,
  WEBHOOK_DEFAULTS,
  WEBHOOK_BODY_VERSION,
  type WebhookReceiverOptions,
} from './webhook-receiver.js';
export {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  signWebhookBody,
  verifyWebhookSignature,
  type WebhookVerification,
} from './webhook-signature.js';
export { createEmailReceiver, EMAIL_DEFAULTS, type EmailReceiverOptions, type StartTlsMode } from './email-receiver.js';
export { renderAlertEmail, subjectOf, type RenderedEmail } from './email-render.js';
export { formatValue } from './format-value.js';
