import { InitialSchema1764288000000 } from './1764288000000-InitialSchema';
import { AuthRequests1764291600000 } from './1764291600000-AuthRequests';

/** Every migration, in order. Listed explicitly so the same history runs from ts (tests) and js (dist). */
export const MIGRATIONS = [InitialSchema1764288000000, AuthRequests1764291600000];
