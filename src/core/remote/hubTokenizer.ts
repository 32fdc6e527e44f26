// The FIM tokens of a server's model, when ghostwriter.serverModel is a hub repo id: read from the
// model's own tokenizer_config.json (added_tokens_decoder) and, when that does not settle it,
// tokenizer.json (added_tokens), through the hub client the model downloads use (the same
// endpoint, token and redirect rules: src/core/hub/http.ts). Only these two files are fetched,
// into memory; nothing else of the repo. Not a repo id (an Ollama tag, a served name): undefined.
import { describeCause } from '../errors';
import { HubClient } from '../hub/http';
import { parseRepoId } from '../hub/source';
import type { Logger } from '../logger';
import { templateFromTokenizer, type FimTemplateName } from './fimTemplates';

/** tokenizer.json of a 150k-token vocabulary is about 7 MB; past this the file is not read. */
const MAX_TOKENIZER_BYTES = 32 << 20;

export async function templateFromHub(model: string, hub: { endpoint: string; token?: string; signal?: AbortSignal }, log: Logger): Promise<FimTemplateName | undefined> {
  let repo: { repoId: string; revision?: string };
  try {
    if (!model.includes('/') || model.includes(':')) return undefined;
    repo = parseRepoId(model);
  } catch {
    return undefined;
  }
  const client = new HubClient({ endpoint: hub.endpoint, ...(hub.token ? { token: hub.token } : {}), ...(hub.signal ? { signal: hub.signal } : {}) });
  try {
    const commit = await client.commitOf(repo.repoId, repo.revision ?? 'main');
    const read = async (path: string): Promise<unknown> => {
      const res = await client.openFile(repo.repoId, commit, path, 0);
      const size = Number(res.headers.get('content-length') ?? 0);
      if (size > MAX_TOKENIZER_BYTES) {
        await res.body?.cancel();
        return undefined;
      }
      return JSON.parse(await res.text()) as unknown;
    };
    const config = await read('tokenizer_config.json').catch(() => undefined);
    const fromConfig = templateFromTokenizer({}, config);
    if (fromConfig && fromConfig !== 'none') return fromConfig;
    const found = templateFromTokenizer(await read('tokenizer.json'), config);
    log.info(`${model}: its tokenizer ${found && found !== 'none' ? `has the ${found} FIM tokens` : 'has no FIM tokens: the server gets the text before the cursor only'}`);
    return found;
  } catch (err) {
    log.warn(`${model}: its tokenizer could not be read from ${hub.endpoint} (${describeCause(err)}); the FIM template comes from the model's name`);
    return undefined;
  }
}
