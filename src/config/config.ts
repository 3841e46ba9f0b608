/** The configuration types; their single source is the TypeBox schema in schema.ts. */
export type { Config, ProductTier, TtsEngineName, TtsEngineSetting } from './schema';
