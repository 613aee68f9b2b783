/** What a `nats://` endpoint may hold. */
import { endpointSpec, type OptionValues } from '../options.ts';

/** Why a (rendered) subject cannot be published to, or null: NATS subjects are dot-separated tokens without spaces or wildcards. */
export function subjectProblem(subject: string): string | null {
  if (subject === '') return 'is empty; name a subject, e.g. "events.{{type}}"';
  if (/\s/.test(subject)) return 'contains white space, which NATS subjects may not';
  if (/[*>]/.test(subject))
    return `contains a wildcard ("*" or ">"), which is for subscribing, not publishing`;
  if (subject.split('.').some((token) => token === '')) {
    return 'has an empty token (a leading, trailing or doubled "."), which NATS subjects may not';
  }
  return null;
}

export const NATS_ENDPOINT = endpointSpec({
  kind: 'NATS',
  schemes: { nats: { port: 4222, tls: false }, tls: { port: 4222, tls: true } },
  example: 'nats://user:password@nats.example.com:4222',
  schemeHint: 'a NATS URL starts with nats:// (or tls:// to require TLS)',
  allowPath: false,
  options: {
    subject: { type: 'string', default: '{{type}}' },
    jetstream: { type: 'boolean', default: true },
  },
  name: { option: 'subject', problem: subjectProblem, label: (subject) => `subject "${subject}"` },
});

export type NatsOptions = OptionValues<typeof NATS_ENDPOINT.options>;
