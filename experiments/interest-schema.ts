/**
 * Config schema of `interestModel` (placeholder until the interest models land:
 * only the oracle). The interest-model work replaces this file.
 */
import { z } from 'zod';

/** `interestModel` */
export const interestModelSchema = z.discriminatedUnion('kind', [z.object({ kind: z.literal('oracle') }).strict()]);
