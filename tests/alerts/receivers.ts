// Moved to the lab package, whose mail catcher and webhook receiver are these.
export {
  startMailCatcher,
  startWebhookReceiver,
  type ReceivedHook,
  type ReceivedMail,
  type ReceiverOptions,
} from '@wirewatch/lab';
