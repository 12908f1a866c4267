// `npm start`: a server node, configured by config.json, the environment and flags.
import { run } from './run.js';

void run(process.env, process.argv.slice(2));
