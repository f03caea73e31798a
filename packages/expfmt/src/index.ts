export { TEXT_CONTENT_TYPE, writeText } from './text-writer.js';
