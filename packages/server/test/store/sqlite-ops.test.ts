import { tempSqliteStore } from '../helpers/store.ts';
import { runOpsContract } from './ops-contract.ts';

runOpsContract('sqlite', tempSqliteStore);
