/** The API fuzz suite (see suite.ts) on a temporary SQLite file. */
import { defineFuzzSuite } from './suite.ts';

await defineFuzzSuite('sqlite');
