"""Join separately generated pieces of one format into one valid file."""

from __future__ import annotations

import io

from eleven_cli.audio.containers import mp3_frames, wav_data, wav_header
from eleven_cli.errors import UsageError
from eleven_cli.formats import Format


def _ogg_opus(parts: list[bytes]) -> bytes:
    """Remux the Opus packets of several Ogg streams into one stream with continuous timestamps."""
    try:
        import av
    except ImportError:
        raise UsageError("joining long Opus output needs PyAV", hint="pip install av, or use mp3") from None
    out = io.BytesIO()
    with av.open(out, "w", format="ogg") as box:
        stream = None
        end = 0  # where the previous part's last packet ended, in the output's time base
        for part in parts:
            with av.open(io.BytesIO(part), "r") as src:
                source = src.streams.audio[0]
                if stream is None:
                    stream = box.add_stream_from_template(source)
                offset: int | None = None
                for packet in src.demux(source):
                    if packet.dts is None or packet.pts is None:
                        continue
                    if offset is None:  # each part starts where the previous one ended
                        offset = end - packet.pts if end else 0
                    packet.pts += offset
                    packet.dts += offset
                    end = max(end, packet.pts + (packet.duration or 0))
                    packet.stream = stream
                    box.mux(packet)
    return out.getvalue()


def stitch(parts: list[bytes], fmt: Format) -> bytes:
    """One file from pieces: MP3 frames without repeated tags, one WAV header, raw concatenated,
    Opus as one Ogg stream."""
    if len(parts) == 1:
        return parts[0]
    if fmt.codec == "mp3":
        return b"".join(mp3_frames(p) for p in parts)
    if fmt.codec == "wav":
        pcm = b"".join(wav_data(p)[1] for p in parts)
        return wav_header(fmt.rate, len(pcm)) + pcm
    if fmt.codec == "opus":
        return _ogg_opus(parts)
    return b"".join(parts)
