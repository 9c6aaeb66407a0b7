"""The mock's catalogue: models with the service's fields and limits, and voices that sound apart."""

from __future__ import annotations

from typing import Any

from eleven_mock.engine import Voicing

_EN = [{"language_id": "en", "name": "English"}]
_MULTI = _EN + [
    {"language_id": code, "name": name}
    for code, name in [
        ("ja", "Japanese"), ("zh", "Chinese"), ("de", "German"), ("hi", "Hindi"), ("fr", "French"),
        ("ko", "Korean"), ("pt", "Portuguese"), ("it", "Italian"), ("es", "Spanish"),
        ("id", "Indonesian"), ("nl", "Dutch"), ("tr", "Turkish"), ("fil", "Filipino"),
        ("pl", "Polish"), ("sv", "Swedish"), ("bg", "Bulgarian"), ("ro", "Romanian"),
        ("ar", "Arabic"), ("cs", "Czech"), ("el", "Greek"), ("fi", "Finnish"), ("hr", "Croatian"),
        ("ms", "Malay"), ("sk", "Slovak"), ("da", "Danish"), ("ta", "Tamil"), ("uk", "Ukrainian"),
        ("ru", "Russian"),
    ]
]
_MULTI_2_5 = _MULTI + [
    {"language_id": code, "name": name}
    for code, name in [("hu", "Hungarian"), ("no", "Norwegian"), ("vi", "Vietnamese")]
]
# Eleven v3's languages (74), as the SDKs and agent frameworks list them.
_V3 = _MULTI_2_5 + [
    {"language_id": code, "name": name}
    for code, name in [
        ("af", "Afrikaans"), ("as", "Assamese"), ("az", "Azerbaijani"), ("be", "Belarusian"), ("bn", "Bengali"),
        ("bs", "Bosnian"), ("ca", "Catalan"), ("ceb", "Cebuano"), ("cy", "Welsh"), ("et", "Estonian"),
        ("fa", "Persian"), ("ga", "Irish"), ("gl", "Galician"), ("gu", "Gujarati"), ("ha", "Hausa"),
        ("he", "Hebrew"), ("hy", "Armenian"), ("is", "Icelandic"), ("jv", "Javanese"), ("ka", "Georgian"),
        ("kk", "Kazakh"), ("kn", "Kannada"), ("ky", "Kyrgyz"), ("lb", "Luxembourgish"), ("ln", "Lingala"),
        ("lt", "Lithuanian"), ("lv", "Latvian"), ("mk", "Macedonian"), ("ml", "Malayalam"), ("mr", "Marathi"),
        ("ne", "Nepali"), ("ny", "Chichewa"), ("pa", "Punjabi"), ("ps", "Pashto"), ("sd", "Sindhi"),
        ("sl", "Slovenian"), ("so", "Somali"), ("sr", "Serbian"), ("sw", "Swahili"), ("te", "Telugu"),
        ("th", "Thai"), ("ur", "Urdu"),
    ]
]
_V1_MULTI = [{"language_id": code, "name": name} for code, name in [
    ("en", "English"), ("de", "German"), ("pl", "Polish"), ("es", "Spanish"), ("it", "Italian"), ("fr", "French"),
    ("pt", "Portuguese"), ("hi", "Hindi")]]

# Models that take a language_code: the others refuse one (400). The service documents language_code
# as unsupported for eleven_multilingual_v2 (it detects the language), as agent frameworks note too.
LANGUAGE_CODE_MODELS = {"eleven_flash_v2_5", "eleven_turbo_v2_5", "eleven_v3"}
# Models that refuse request stitching (previous_text, next_text, previous/next_request_ids).
NO_CONTINUITY_MODELS = {"eleven_v3"}
# Models the text-to-speech WebSockets refuse (the docs: eleven_v3 speaks over the text-to-dialogue socket).
NO_WEBSOCKET_MODELS = {"eleven_v3"}


def _model(model_id: str, name: str, description: str, *, limit: int, free: int, factor: float,
           languages: list[dict[str, str]], style: bool = True, group: str = "standard",
           alpha: bool = False, vc: bool = False) -> dict[str, Any]:
    return {
        "model_id": model_id,
        "name": name,
        "can_be_finetuned": True,
        "can_do_text_to_speech": True,
        "can_do_voice_conversion": vc,
        "can_use_style": style,
        "can_use_speaker_boost": True,
        "serves_pro_voices": False,
        "token_cost_factor": factor,
        "description": description,
        "requires_alpha_access": alpha,
        "max_characters_request_free_user": free,
        "max_characters_request_subscribed_user": limit,
        "maximum_text_length_per_request": limit,
        "languages": languages,
        "model_rates": {"character_cost_multiplier": factor},
        "concurrency_group": group,
    }


MODELS: list[dict[str, Any]] = [
    _model("eleven_multilingual_v2", "Eleven Multilingual v2",
           "Our most life-like, emotionally rich mode in 29 languages.",
           limit=10000, free=2500, factor=1.0, languages=_MULTI),
    _model("eleven_v3", "Eleven v3", "Our most expressive model, in 70+ languages.",
           limit=5000, free=2500, factor=1.0, languages=_V3),
    _model("eleven_flash_v2_5", "Eleven Flash v2.5",
           "Our ultra low latency model in 32 languages.",
           limit=40000, free=2500, factor=0.5, languages=_MULTI_2_5, style=False, group="turbo"),
    _model("eleven_turbo_v2_5", "Eleven Turbo v2.5",
           "High quality, low latency model in 32 languages.",
           limit=40000, free=2500, factor=0.5, languages=_MULTI_2_5, style=False, group="turbo"),
    _model("eleven_flash_v2", "Eleven Flash v2", "Our ultra low latency model, English only.",
           limit=30000, free=2500, factor=0.5, languages=_EN, style=False, group="turbo"),
    _model("eleven_turbo_v2", "Eleven Turbo v2", "High quality, low latency model, English only.",
           limit=30000, free=2500, factor=0.5, languages=_EN, style=False, group="turbo"),
    _model("eleven_monolingual_v1", "Eleven English v1", "Our first model, English only (deprecated).",
           limit=10000, free=2500, factor=1.0, languages=_EN, style=False),
    _model("eleven_multilingual_v1", "Eleven Multilingual v1", "Our first multilingual model (deprecated).",
           limit=10000, free=2500, factor=1.0, languages=_V1_MULTI, style=False),
    _model("eleven_multilingual_sts_v2", "Eleven Multilingual v2 (speech to speech)",
           "Voice changer model.", limit=10000, free=2500, factor=1.0, languages=_MULTI, vc=True),
]
MODELS[-1]["can_do_text_to_speech"] = False

MODEL_BY_ID = {m["model_id"]: m for m in MODELS}


_PREVIEWS = "https://storage.googleapis.com/eleven-public-prod/premade/voices"


def _voice(voice_id: str, name: str, labels: dict[str, str], description: str, voicing: Voicing,
           preview: str = "", category: str = "premade", legacy: bool = False,
           created: int = 1700000000) -> dict[str, Any]:
    return {
        "voice_id": voice_id,
        "name": name,
        "samples": None,
        "category": category,
        "fine_tuning": {"is_allowed_to_fine_tune": False, "state": {}, "verification_failures": [],
                        "verification_attempts_count": 0, "manual_verification_requested": False},
        "labels": labels,
        "description": description,
        "preview_url": f"{_PREVIEWS}/{voice_id}/{preview}.mp3" if preview else None,
        "available_for_tiers": [],
        "settings": None,
        "sharing": None,
        "high_quality_base_model_ids": ["eleven_multilingual_v2", "eleven_flash_v2_5", "eleven_v3"],
        "verified_languages": [],
        "safety_control": None,
        "is_owner": category != "premade",
        "is_legacy": legacy,
        "is_mixed": False,
        "created_at_unix": created,
        "_voicing": voicing,
    }


def _premade(row: tuple[str, str, str, str, str, str, str, str, str, tuple[str, int, int, int]],
             n: int, legacy: bool = False) -> dict[str, Any]:
    """One premade voice from its table row: id, name, gender, age, accent, descriptive, use case,
    description, preview file, voicing (espeak voice, pitch, range, words per minute)."""
    voice_id, name, gender, age, accent, descriptive, use_case, description, preview, (espeak, pitch, rng, wpm) = row
    labels = {"accent": accent, "descriptive": descriptive, "age": age, "gender": gender, "language": "en",
              "use_case": use_case}
    return _voice(voice_id, name, labels, description, Voicing(espeak, pitch, rng, wpm), preview,
                  legacy=legacy, created=(1600000000 if legacy else 1700000000) + 100 * n)


# The service's premade library: every voice with its real id, name, labels, description and preview
# file, as the official SDKs' docs and tests, the agent frameworks' defaults (LiveKit's
# hpp4J3VqNfWAUOO0d1Us, Bella) and published voice lists give them. Names are the plain first names
# by which the SDKs and clients address them. Each has its own voicing: espeak-ng's accent and
# variant for its gender and age, its own pitch, range and pace.
_PREMADE = [
    ("CwhRBWXzGAHq8TQ4Fs17", "Roger", "male", "middle_aged", "american", "classy", "conversational",
     "Easy going and perfect for casual conversations.", "58ee3ff5-f6f2-4628-93b8-e38eb31806b0",
     ("en-us+m2", 42, 60, 178)),
    ("EXAVITQu4vr4xnSDxMaL", "Sarah", "female", "young", "american", "professional", "entertainment_tv",
     "Young adult woman with a confident and warm, mature quality and a reassuring, professional tone.",
     "01a3e33c-6e99-4ee7-8543-ff2216a32186", ("en-us+f3", 62, 60, 175)),
    ("FGY2WhTYpPnrIDTdsKH5", "Laura", "female", "young", "american", "sassy", "social_media",
     "This young adult female voice delivers sunny enthusiasm with a quirky attitude.",
     "67341759-ad08-41a5-be6e-de12fe448618", ("en-us+f4", 80, 90, 188)),
    ("IKne3meq5aSn9XLyUdCD", "Charlie", "male", "young", "australian", "hyped", "conversational",
     "A young Australian male with a confident and energetic voice.", "102de6f2-22ed-43e0-a1f1-111fa75c5481",
     ("en-029+m1", 50, 70, 185)),
    ("JBFqnCBsd6RMkjVDRZzb", "George", "male", "middle_aged", "british", "mature", "narrative_story",
     "Warm resonance that instantly captivates listeners.", "e6206d1a-0721-4787-aafb-06a6e705cac5",
     ("en-gb+m3", 38, 45, 165)),
    ("N2lVS1w4EtoT3dr4eOWO", "Callum", "male", "middle_aged", "american", "hoarse", "characters_animation",
     "Deceptively gravelly, yet unsettling edge.", "ac833bd8-ffda-4938-9ebc-b0f99ca25481",
     ("en-us+m4", 30, 40, 160)),
    ("SAz9YHcvj6GT2YYXdXww", "River", "neutral", "middle_aged", "american", "calm", "conversational",
     "A relaxed, neutral voice ready for narrations or conversational projects.",
     "e6c95f0b-2227-491a-b3d7-2249240decb7", ("en-us+f2", 52, 45, 168)),
    ("SOYHLrjzK2X1ezoPC6cr", "Harry", "male", "young", "american", "rough", "characters_animation",
     "An animated warrior ready to charge forward.", "86d178f6-f4b6-4e0e-85be-3de19f490794",
     ("en-us+m5", 46, 85, 190)),
    ("TX3LPaxmHKxFdv7VOQHJ", "Liam", "male", "young", "american", "confident", "social_media",
     "A young adult with energy and warmth - suitable for reels and shorts.",
     "63148076-6363-42db-aea8-31424308b92c", ("en-us+m6", 55, 65, 192)),
    ("Xb7hH8MSUJpSbSDYk0k2", "Alice", "female", "middle_aged", "british", "professional",
     "informative_educational",
     "Clear and engaging, friendly woman with a British accent suitable for e-learning.",
     "d10f7534-11f6-41fe-a012-2de1e482d336", ("en-gb+f2", 70, 40, 170)),
    ("XrExE9yKIg1WjnnlVkGX", "Matilda", "female", "middle_aged", "american", "upbeat", "informative_educational",
     "A professional woman with a pleasing alto pitch. Suitable for many use cases.",
     "b930e18d-6b4d-466e-bab2-0ae97c6d8535", ("en-us+f1", 44, 50, 172)),
    ("bIHbv24MWmeRgasZH58o", "Will", "male", "young", "american", "chill", "conversational",
     "Conversational and laid back.", "8caf8f3d-ad29-4980-af41-53f20c72d7a4", ("en-us+m7", 48, 55, 174)),
    ("cgSgspJ2msm6clMCkdW9", "Jessica", "female", "young", "american", "cute", "conversational",
     "Young and popular, this playful American female voice is perfect for trendy content.",
     "56a97bf8-b69b-448f-846c-c3a11683d45a", ("en-us+f4", 78, 85, 190)),
    ("cjVigY5qzO86Huf0OWal", "Eric", "male", "middle_aged", "american", "classy", "conversational",
     "A smooth tenor pitch from a man in his 40s - perfect for agentic use cases.",
     "d098fda0-6456-4030-b3d8-63aa048c9070", ("en-us+m1", 45, 40, 176)),
    ("hpp4J3VqNfWAUOO0d1Us", "Bella", "female", "middle_aged", "american", "professional",
     "informative_educational",
     "This voice is warm, bright, and professional, characterized by a Standard American accent and a "
     "polished, narrative quality.", "dab0f5ba-3aa4-48a8-9fad-f138fea1126d", ("en-us+f5", 66, 55, 172)),
    ("iP95p4xoKVk53GoZ742B", "Chris", "male", "middle_aged", "american", "casual", "conversational",
     "Natural and real, this down-to-earth voice is great across many use-cases.",
     "3f4bde72-cc48-40dd-829f-57fbf906f4d7", ("en-us+m3", 40, 60, 180)),
    ("nPczCjzI2devNBz1zQrb", "Brian", "male", "middle_aged", "american", "classy", "social_media",
     "Middle-aged man with a resonant and comforting tone. Great for narrations and advertisements.",
     "2dd3e72c-4fd3-42f1-93ea-abc5d4e5aa1d", ("en-us+m7", 25, 30, 160)),
    ("onwK4e9ZLuTAKqWW03F9", "Daniel", "male", "middle_aged", "british", "formal", "informative_educational",
     "A strong voice perfect for delivering a professional broadcast or news story.",
     "7eee0236-1a72-4b86-b303-5dcadc007ba9", ("en-gb-x-rp+m1", 35, 35, 170)),
    ("pFZP5JQG7iQjIQuC4Bku", "Lily", "female", "middle_aged", "british", "confident", "informative_educational",
     "Velvety British female voice delivers news and narrations with warmth and clarity.",
     "89b68b35-b3dd-4348-a84a-a3c13a3c2b30", ("en-gb+f3", 58, 45, 166)),
    ("pNInz6obpgDQGcFmaJgB", "Adam", "male", "middle_aged", "american", "confident", "social_media",
     "A bright tenor pitch that immediately cuts through. The delivery is brash and openly confident.",
     "d6905d7a-dd26-4187-bfff-1bd3a5ea7cac", ("en-us+m2", 52, 75, 182)),
    ("pqHfZKP75CvOlQylNhV4", "Bill", "male", "old", "american", "crisp", "advertisement",
     "Friendly and comforting voice ready to narrate your stories.", "d782b3ff-84ba-4029-848c-acf01285524d",
     ("en-us+m6", 28, 35, 150)),
]
# Voices the service retired from the library: still served by id and listed with show_legacy=true.
_LEGACY = [
    ("21m00Tcm4TlvDq8ikWAM", "Rachel", "female", "young", "american", "calm", "narrative_story",
     "Calm, clear and reassuring.", "df6788f9-5c96-470d-8312-aab3b3d8f50a", ("en-us+f1", 58, 50, 170)),
    ("9BWtsMINqrJLrRacOk9x", "Aria", "female", "middle_aged", "american", "husky", "social_media",
     "A middle-aged female with an African-American accent, calm with a hint of rasp.",
     "405766b8-1f4e-4d3c-aba1-6f25333823ec", ("en-us+f5", 48, 55, 172)),
    ("XB0fDUnXU5powFXDhCwa", "Charlotte", "female", "young", "swedish", "sensual", "characters_animation",
     "Sensual and raspy, she's ready to voice your temptress in video games.",
     "942356dc-f10d-4d89-bda5-4f8505ee038b", ("sv+f3", 66, 65, 165)),
]

VOICES: list[dict[str, Any]] = [
    *[_premade(row, n) for n, row in enumerate(_PREMADE)],
    *[_premade(row, n, legacy=True) for n, row in enumerate(_LEGACY)],
    _voice("mockClonedVoice000001", "My Narrator",
           {"accent": "british", "gender": "male", "use_case": "audiobook"},
           "An instant voice clone belonging to this account.",
           Voicing("en-gb-scotland+m2", pitch=45, range=55, wpm=170), category="cloned",
           created=1710000000),
]

VOICE_BY_ID = {v["voice_id"]: v for v in VOICES}


def public(voice: dict[str, Any], base_url: str | None = None) -> dict[str, Any]:
    """A voice as the API returns it (without the mock's private fields), its preview served by the
    mock itself when the base URL is known."""
    out = {k: v for k, v in voice.items() if not k.startswith("_")}
    if base_url:
        out["preview_url"] = f"{base_url.rstrip('/')}/__mock__/previews/{voice['voice_id']}.mp3"
    return out
