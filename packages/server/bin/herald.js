#!/usr/bin/env node
// Herald runs from its TypeScript sources: tsx compiles them on load, so there
// is no build step between `npm install` and `npm start`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
