#!/bin/sh
# `make demo`: start `eleven mock` on a free port, then list, speak, stream and write files.
set -eu
BIN=${BIN:-.venv/bin}
OUT=${OUT:-demo-out}
mkdir -p "$OUT"
LOG=$(mktemp)
"$BIN/eleven" mock --port 0 --rtf 0.3 2>"$LOG" &
MOCK=$!
trap 'kill $MOCK 2>/dev/null; rm -f "$LOG"' EXIT INT TERM
i=0
until grep -q "listening on" "$LOG"; do
  i=$((i + 1)); [ $i -lt 100 ] || { cat "$LOG"; exit 1; }; sleep 0.1
done
URL=$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$LOG")
export ELEVENLABS_BASE_URL="$URL" ELEVENLABS_API_KEY=sk_mock_demo_key
echo "== eleven mock is serving $URL (demo key sk_mock_demo_key)"
set -x
"$BIN/eleven" models
"$BIN/eleven" voices british
echo "Hello there." | "$BIN/eleven" say -v george -o "$OUT/hello.wav"
"$BIN/eleven" say -v alice "This is the same tool writing an MP3 file." -o "$OUT/hello.mp3"
"$BIN/eleven" say -v brian "And an Ogg Opus file." -o "$OUT/hello.opus"
"$BIN/eleven" say "Telephone quality, mu-law." -o "$OUT/phone.ulaw"
"$BIN/eleven" timestamps -v sarah "Captions follow the voice, word by word. Each cue is readable." \
  -o "$OUT/captions.mp3" --srt "$OUT/captions.srt" --vtt "$OUT/captions.vtt" --no-play
printf 'George: Welcome to the show.\nSarah: [laughs] Glad to be here, George.\n' |
  "$BIN/eleven" dialogue -o "$OUT/dialogue.mp3" --srt "$OUT/dialogue.srt"
printf '# One\n\nThe keeper climbed the stairs at dusk.\n\n# Two\n\nThe sea was calm by morning.\n' > "$OUT/keeper.md"
"$BIN/eleven" book "$OUT/keeper.md" -o "$OUT/keeper.m4b" --chapters-file "$OUT/keeper-chapters.vtt"
"$BIN/eleven" history -n 5
"$BIN/eleven" stream -v charlie "Streaming starts speaking before the server has finished generating." \
  -o "$OUT/stream.mp3" --play || echo "(no audio device here: the stream was still saved)"
set +x
echo "== files written:"
ls -l "$OUT"
