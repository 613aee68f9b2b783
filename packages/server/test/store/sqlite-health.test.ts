import { tempSqliteStore } from '../helpers/store.ts';
import { runHealthContract } from './health-contract.ts';

runHealthContract('sqlite', tempSqliteStore);
