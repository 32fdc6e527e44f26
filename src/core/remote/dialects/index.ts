// The dialect for a backend setting.
import type { Dialect, RemoteBackend } from '../dialect';
import { llamaCpp } from './llamaCpp';
import { ollama } from './ollama';
import { openai } from './openai';
import { tgi } from './tgi';

export const DIALECTS: { readonly [K in RemoteBackend]: Dialect } = { 'llama.cpp': llamaCpp, ollama, openai, tgi };
