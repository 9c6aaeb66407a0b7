"""Audio: codecs and containers (pure), decoding, and live playback (sounddevice, imported lazily)."""
