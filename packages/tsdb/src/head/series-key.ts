/**
 * The head's key of a label set: `labelsKey` of @fathom/model itself, so head and block reads
 * (and the tier cache, which merges them by key) can never disagree on the format.
 */
import { labelsKey } from '@fathom/model';

export const seriesKey = labelsKey;
