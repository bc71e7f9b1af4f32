import { InitialSchema1764288000000 } from './1764288000000-InitialSchema';

/** Every migration, in order. Listed explicitly so the same history runs from ts (tests) and js (dist). */
export const MIGRATIONS = [InitialSchema1764288000000];
