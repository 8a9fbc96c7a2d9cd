import { OUTPOST_VERSION } from '@outpost/shared';

/** Central's version: the release version (one number for every Outpost program, see @outpost/shared). */
export const CENTRAL_VERSION: string = OUTPOST_VERSION;
