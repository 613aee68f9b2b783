import { tempSqliteStore } from '../helpers/store.ts';
import { runStoreContract } from './contract.ts';

runStoreContract('sqlite', tempSqliteStore);
