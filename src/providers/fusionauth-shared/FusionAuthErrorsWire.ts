import { z } from 'zod';
import { jsonValueSchema } from '../shared/jsonValueSchema';

/*
 * FusionAuth's `Errors` body of a 400 (providers.md §4, FusionAuth docs errors.mdx and the
 * TypeScript client). `fieldErrors` is a map from field name to errors; the OpenAPI file types
 * it as an array, which the docs and the client contradict.
 */

export const fusionAuthErrorWireSchema = z.object({
  code: z.string(),
  message: z.string(),
  data: z.record(z.string(), jsonValueSchema).exactOptional(),
});
export type FusionAuthErrorWire = z.infer<typeof fusionAuthErrorWireSchema>;

export const fusionAuthErrorsWireSchema = z.object({
  generalErrors: z.array(fusionAuthErrorWireSchema).exactOptional(),
  fieldErrors: z.record(z.string(), z.array(fusionAuthErrorWireSchema)).exactOptional(),
});
export type FusionAuthErrorsWire = z.infer<typeof fusionAuthErrorsWireSchema>;
