// A module resolve hook for running Herald from its TypeScript sources in the
// repository: it asks for the `herald-source` export condition, so
// `@herald/sdk` resolves to the SDK's sources (as in tsc and Vitest), never to
// a build of it that may be older. bin/herald.js registers it only on that path.
export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes('herald-source')
    ? context.conditions
    : ['herald-source', ...context.conditions];
  return nextResolve(specifier, { ...context, conditions });
}
