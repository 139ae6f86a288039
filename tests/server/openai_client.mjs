// The official `openai` JavaScript client, unmodified, against seekbench-server: list the
// models, stream a chat completion and a completion, get one whole, and see an API error
// arrive as the client's error type. Usage: node openai_client.mjs NODE_MODULES BASE_URL KEY
import { createRequire } from 'node:module';
import path from 'node:path';

const [modules, baseURL, apiKey] = process.argv.slice(2);
const require = createRequire(path.join(modules, 'x.js'));
const OpenAI = require('openai').default ?? require('openai');

const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 60_000 });
let failures = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
};

const models = await client.models.list();
const model = models.data[0]?.id;
check(typeof model === 'string' && model.length > 0, `models.list() names the model (${model})`);

const stream = await client.chat.completions.create({
  model, stream: true, seed: 7, max_tokens: 24,
  messages: [{ role: 'system', content: 'You are brief.' }, { role: 'user', content: 'Tell me a story.' }],
  stream_options: { include_usage: true },
});
let text = '';
let finish = null;
let usage = null;
let chunks = 0;
for await (const chunk of stream) {
  chunks++;
  if (chunk.usage) usage = chunk.usage;
  const choice = chunk.choices[0];
  if (!choice) continue;
  text += choice.delta?.content ?? '';
  if (choice.finish_reason) finish = choice.finish_reason;
}
check(chunks > 2 && text.length > 0, `chat stream: ${chunks} chunks, ${JSON.stringify(text.slice(0, 40))}`);
check(finish === 'stop' || finish === 'length', `chat stream finish_reason ${finish}`);
check(usage && usage.completion_tokens > 0 && usage.prompt_tokens > 0, `chat stream usage ${JSON.stringify(usage)}`);

const whole = await client.chat.completions.create({
  model, seed: 7, max_tokens: 24,
  messages: [{ role: 'system', content: 'You are brief.' }, { role: 'user', content: 'Tell me a story.' }],
});
check(whole.choices[0].message.content === text, 'a whole chat reply equals the streamed one (same seed)');

const cstream = await client.completions.create({ model, prompt: 'Once upon a time', max_tokens: 16, seed: 3, stream: true });
let ctext = '';
let cfinish = null;
for await (const chunk of cstream) {
  ctext += chunk.choices[0]?.text ?? '';
  cfinish = chunk.choices[0]?.finish_reason ?? cfinish;
}
check(ctext.length > 0 && cfinish !== null, `completion stream: ${JSON.stringify(ctext.slice(0, 40))} (${cfinish})`);

try {
  await client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] });
  check(false, 'an unknown model is refused');
} catch (e) {
  check(e instanceof OpenAI.APIError && e.status === 404, `an unknown model is refused as APIError ${e.status}`);
}

console.log(`${failures === 0 ? 'all passed' : `${failures} failed`}`);
process.exit(failures === 0 ? 0 : 1);
