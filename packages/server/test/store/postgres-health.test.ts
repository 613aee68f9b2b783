import { describe } from 'vitest';
import { pgAvailable, tempPgStore } from '../helpers/pg.ts';
import { runHealthContract } from './health-contract.ts';

describe.skipIf(!pgAvailable)('PostgreSQL', () => {
  runHealthContract('postgres', () => tempPgStore('health'));
});
