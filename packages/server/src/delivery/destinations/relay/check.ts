/** What a `relay://` endpoint may hold: deliveries go to a connected `herald listen` (DESIGN.md). */

export const RELAY_SCHEME = 'relay';

// An optional label after relay://, to tell a developer's relay endpoints apart in the list.
const LABEL = /^[a-z0-9][a-z0-9-]{0,62}$/i;

/** null when the URL is `relay://` or `relay://<label>`, else what to write instead. */
export function relayUrlProblem(url: URL): string | null {
  const rest = url.href.slice('relay://'.length).replace(/\/$/, '');
  if (url.protocol !== 'relay:' || !url.href.startsWith('relay://'))
    return 'a relay URL is relay:// (or relay://<label>)';
  if (rest === '' || LABEL.test(rest)) return null;
  return `a relay URL is relay:// or relay://<label> with a label of letters, digits and "-" (at most 63), not relay://${rest}; no user, port, path or query`;
}
