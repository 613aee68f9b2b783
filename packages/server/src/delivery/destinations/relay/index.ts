/**
 * `relay://`: deliveries to a connected `herald listen` (DESIGN.md,
 * "`herald listen` (local development)"). The kind hands each message to the
 * process's RelayHub, which passes it to the endpoint's listener and waits
 * for the local server's answer. The result carries that answer's HTTP
 * status and no verdict, so the usual HTTP rules judge it; with no listener
 * connected the attempt is a `connection_refused` error, retried on the
 * endpoint's schedule like any other.
 */
import type { DestinationKind } from '../port.ts';
import { RELAY_SCHEME, relayUrlProblem } from './check.ts';
import type { RelayHub } from './hub.ts';

export { RELAY_SCHEME } from './check.ts';
export { RelayHub } from './hub.ts';

export function createRelayKind(hub: RelayHub): DestinationKind {
  return {
    schemes: [RELAY_SCHEME],
    check(url, options) {
      const problem = relayUrlProblem(url);
      if (problem !== null) return { path: 'url', message: problem };
      if (Object.keys(options).length > 0) {
        return {
          path: 'destination',
          message: 'a relay:// endpoint takes no options: set it to null or leave it out',
        };
      }
      return null;
    },
    send: (target, message) => hub.deliver(target.endpointId, message),
    // The listeners' streams belong to the API, which closes them first; this only makes sure.
    close: async () => hub.close(),
  };
}
