// The official ElevenLabs JavaScript SDK against `eleven mock`: every call the SDK parses strictly
// (a ParseError fails it), audio written to OUTDIR for the Python side to decode.
// Usage: ELEVENLABS_BASE_URL=... ELEVENLABS_API_KEY=... OUTDIR=... node run.mjs  -> JSON report on stdout
import { ElevenLabsClient, ElevenLabsError } from "@elevenlabs/elevenlabs-js";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const baseUrl = process.env.ELEVENLABS_BASE_URL;
const apiKey = process.env.ELEVENLABS_API_KEY;
const outdir = process.env.OUTDIR;
const client = new ElevenLabsClient({ apiKey, baseUrl, maxRetries: 0 });
const voice = "JBFqnCBsd6RMkjVDRZzb";
const report = [];

async function bytes(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function check(name, fn) {
  try {
    const detail = await fn();
    report.push({ name, ok: true, ...(detail || {}) });
  } catch (err) {
    report.push({ name, ok: false, error: `${err?.constructor?.name}: ${err?.message}`.slice(0, 500) });
  }
}

async function expectStatus(name, status, fn) {
  try {
    await fn();
    report.push({ name, ok: false, error: `expected HTTP ${status}, got success` });
  } catch (err) {
    const ok = err instanceof ElevenLabsError && err.statusCode === status;
    report.push({ name, ok, status: err?.statusCode ?? null, error: ok ? undefined : `${err?.constructor?.name}: ${err?.message}`.slice(0, 500) });
  }
}

function save(name, data) {
  const file = join(outdir, name);
  writeFileSync(file, data);
  return { file, bytes: data.length };
}

await check("models.list", async () => {
  const models = await client.models.list();
  if (!models.some((m) => m.modelId === "eleven_multilingual_v2")) throw new Error("no eleven_multilingual_v2");
  return { count: models.length };
});
await check("voices.getAll", async () => ({ count: (await client.voices.getAll()).voices.length }));
await check("voices.search", async () => {
  const found = await client.voices.search({ search: "british", pageSize: 2, includeTotalCount: true });
  if (!found.voices.length) throw new Error("no voices found for 'british'");
  return { count: found.voices.length, total: found.totalCount };
});
await check("voices.get", async () => ({ name: (await client.voices.get(voice)).name }));
await check("user.get", async () => ({ userId: (await client.user.get()).userId }));
await check("user.subscription.get", async () => ({ tier: (await client.user.subscription.get()).tier }));

for (const [fmt, ext] of [["mp3_44100_128", "mp3"], ["wav_24000", "wav"], ["opus_48000_64", "opus"], ["ulaw_8000", "ulaw"]]) {
  await check(`textToSpeech.convert ${fmt}`, async () => {
    const audio = await client.textToSpeech.convert(voice, { text: `Converted to ${ext} by the JavaScript SDK.`, outputFormat: fmt });
    return save(`convert.${ext}`, await bytes(audio));
  });
}
await check("textToSpeech.stream", async () => {
  const audio = await client.textToSpeech.stream(voice, { text: "Streamed by the JavaScript SDK.", outputFormat: "mp3_44100_128" });
  return save("stream.mp3", await bytes(audio));
});
await check("textToSpeech.convertWithTimestamps", async () => {
  const res = await client.textToSpeech.convertWithTimestamps(voice, { text: "Timed by the JavaScript SDK.", outputFormat: "mp3_44100_128" });
  if (!res.alignment || res.alignment.characters.join("") !== "Timed by the JavaScript SDK.") throw new Error("alignment does not spell the text");
  return { ...save("timestamps.mp3", Buffer.from(res.audioBase64, "base64")), characters: res.alignment.characters.length };
});
await check("textToSpeech.streamWithTimestamps", async () => {
  const stream = await client.textToSpeech.streamWithTimestamps(voice, { text: "Streamed and timed by the JavaScript SDK.", outputFormat: "mp3_44100_128" });
  const parts = [];
  let chars = "";
  for await (const chunk of stream) {
    if (chunk.audioBase64) parts.push(Buffer.from(chunk.audioBase64, "base64"));
    if (chunk.alignment) chars += chunk.alignment.characters.join("");
  }
  if (chars !== "Streamed and timed by the JavaScript SDK.") throw new Error(`alignment spells ${JSON.stringify(chars)}`);
  return { ...save("stream-timestamps.mp3", Buffer.concat(parts)), chunks: parts.length };
});

const stranger = new ElevenLabsClient({ apiKey: "sk_not_a_key", baseUrl, maxRetries: 0 });
await expectStatus("401 invalid key", 401, () => stranger.models.list());
await expectStatus("404 unknown voice", 404, () => client.voices.get("NoSuchVoiceIdAtAll0"));
await expectStatus("422 invalid body", 422, () => client.textToSpeech.convert(voice, { text: "x", voiceSettings: { stability: 3 } }));
await expectStatus("400 text over the limit", 400, () => client.textToSpeech.convert(voice, { text: "x".repeat(10001), modelId: "eleven_multilingual_v2" }));

process.stdout.write(JSON.stringify(report, null, 1) + "\n");
