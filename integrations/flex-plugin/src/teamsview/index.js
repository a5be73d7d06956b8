export { readConfig, defaultConferenceEvents } from './config.js';
export { LineSender } from './lineSender.js';
export { CallChange, nativeLine, ndjson } from './nativeLine.js';
export { startReporter } from './reporter.js';
