/** What a `nats://` endpoint may hold, and its options with defaults applied. */
import {
  type CheckProblem,
  commonUrlProblem,
  firstProblem,
  notABoolean,
  notAString,
  templateNameProblem,
  unknownOptions,
  urlProblem,
} from '../options.ts';

export const NATS_SCHEMES = ['nats', 'tls'] as const;
const OPTIONS = ['subject', 'jetstream'] as const;
const EXAMPLE = 'nats://user:password@nats.example.com:4222';

export interface NatsOptions {
  subject: string;
  jetstream: boolean;
}

export function natsOptions(options: Record<string, unknown>): NatsOptions {
  return {
    subject: typeof options.subject === 'string' ? options.subject : '{{type}}',
    jetstream: typeof options.jetstream === 'boolean' ? options.jetstream : true,
  };
}

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

export function checkNats(url: URL, options: Record<string, unknown>): CheckProblem {
  return firstProblem(
    () =>
      (NATS_SCHEMES as readonly string[]).includes(url.protocol.slice(0, -1))
        ? null
        : urlProblem(`a NATS URL starts with nats:// (or tls:// to require TLS), e.g. ${EXAMPLE}`),
    () => commonUrlProblem(url, 'NATS', EXAMPLE, false),
    () => unknownOptions(options, OPTIONS, 'NATS'),
    () => notAString(options, 'subject'),
    () => notABoolean(options, 'jetstream'),
    () => templateNameProblem('subject', natsOptions(options).subject, subjectProblem),
  );
}
