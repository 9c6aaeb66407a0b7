"""A book in: EPUB, Markdown or plain text read into chapters of cleaned, speakable text."""
