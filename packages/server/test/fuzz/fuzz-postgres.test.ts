/**
 * The API fuzz suite (see suite.ts) on a PostgreSQL schema of its own, dropped
 * afterwards. Without a server it skips, except in CI, where pg.ts fails the file.
 */
import { pgAvailable } from '../helpers/pg.ts';
import { defineFuzzSuite } from './suite.ts';

await defineFuzzSuite('postgres', { skip: !pgAvailable });
