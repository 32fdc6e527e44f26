// A post-processing filter: one completion in, a cleaned completion (or undefined = drop it) out.
import type { DocumentSnapshot } from '../snapshot';

export type Filter = (completion: string, snapshot: DocumentSnapshot) => string | undefined;
