/**
 * Herald's side of the IoT data hub recipe: the endpoint `transform` that
 * turns Herald's envelope (one event) or batch (an array of envelopes) into
 * the body the hub documents for its subscribers, which is always a batch:
 *
 *   {"eventBatchId", "eventSubscriptionId", "eventBatchTime",
 *    "eventsData": [{"eventType", "eventVersion", "eventData"}]}
 *
 * The hub documents its subscription ids as UUIDs of its own, so the
 * platform writes its subscription id into the source when it creates (or
 * tests) the subscription. (A platform whose subscription ids are Herald's
 * endpoint ids would use `webhook.endpointId` instead.)
 */
export const scalarBatchTransform = (subscriptionId: string): string =>
  `const SUBSCRIPTION_ID = ${JSON.stringify(subscriptionId)};

function handler(webhook) {
  // A single event (a test, or batching off) is still sent as a batch of one.
  const events = Array.isArray(webhook.payload) ? webhook.payload : [webhook.payload];
  webhook.payload = {
    eventBatchId: webhook.eventId,
    eventSubscriptionId: SUBSCRIPTION_ID,
    eventBatchTime: new Date().toISOString(),
    eventsData: events.map((e) => ({ eventType: e.type, eventVersion: e.version, eventData: e.data })),
  };
  return webhook;
}
`;
