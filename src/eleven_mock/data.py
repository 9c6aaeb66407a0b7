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


def _voice(voice_id: str, name: str, labels: dict[str, str], description: str, voicing: Voicing,
           category: str = "premade", legacy: bool = False, created: int = 1700000000) -> dict[str, Any]:
    return {
        "voice_id": voice_id,
        "name": name,
        "samples": None,
        "category": category,
        "fine_tuning": {"is_allowed_to_fine_tune": False, "state": {}, "verification_failures": [],
                        "verification_attempts_count": 0, "manual_verification_requested": False},
        "labels": labels,
        "description": description,
        "preview_url": f"https://storage.googleapis.com/eleven-public-prod/premade/voices/{voice_id}/preview.mp3",
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


VOICES: list[dict[str, Any]] = [
    _voice("JBFqnCBsd6RMkjVDRZzb", "George",
           {"accent": "british", "description": "warm", "age": "middle aged", "gender": "male",
            "use_case": "narration"},
           "Warm resonance that instantly captivates listeners.",
           Voicing("en-gb+m3", pitch=38, range=45, wpm=165), created=1700000100),
    _voice("EXAVITQu4vr4xnSDxMaL", "Sarah",
           {"accent": "american", "description": "soft", "age": "young", "gender": "female",
            "use_case": "news"},
           "Young adult woman with a confident and warm, mature quality.",
           Voicing("en-us+f3", pitch=62, range=60, wpm=175), created=1700000200),
    _voice("IKne3meq5aSn9XLyUdCD", "Charlie",
           {"accent": "australian", "description": "natural", "age": "middle aged", "gender": "male",
            "use_case": "conversational"},
           "A young Australian male with a confident and energetic voice.",
           Voicing("en-us+m1", pitch=50, range=70, wpm=185), created=1700000300),
    _voice("Xb7hH8MSUJpSbSDYk0k2", "Alice",
           {"accent": "british", "description": "confident", "age": "middle aged", "gender": "female",
            "use_case": "news"},
           "Clear and engaging, friendly woman with a British accent.",
           Voicing("en-gb+f2", pitch=70, range=40, wpm=170), created=1700000400),
    _voice("nPczCjzI2devNBz1zQrb", "Brian",
           {"accent": "american", "description": "deep", "age": "middle aged", "gender": "male",
            "use_case": "narration"},
           "Middle-aged man with a resonant and comforting tone.",
           Voicing("en-us+m7", pitch=25, range=30, wpm=160), created=1700000500),
    _voice("cgSgspJ2msm6clMCkdW9", "Jessica",
           {"accent": "american", "description": "expressive", "age": "young", "gender": "female",
            "use_case": "conversational"},
           "Young and popular, this playful American female voice is perfect for trendy content.",
           Voicing("en-us+f4", pitch=78, range=85, wpm=190), created=1700000600),
    _voice("21m00Tcm4TlvDq8ikWAM", "Rachel",
           {"accent": "american", "description": "calm", "age": "young", "gender": "female",
            "use_case": "narration"},
           "A calm young American voice (legacy).",
           Voicing("en-us+f1", pitch=58, range=50, wpm=170), legacy=True, created=1600000000),
    _voice("9BWtsMINqrJLrRacOk9x", "Aria",
           {"accent": "american", "description": "husky", "age": "middle aged", "gender": "female",
            "use_case": "social media"},
           "A middle-aged female with an African-American accent, calm with a hint of rasp.",
           Voicing("en-us+f5", pitch=48, range=55, wpm=172), created=1700000700),
    _voice("CwhRBWXzGAHq8TQ4Fs17", "Roger",
           {"accent": "american", "description": "confident", "age": "middle aged", "gender": "male",
            "use_case": "social media"},
           "Easy going and perfect for casual conversations.",
           Voicing("en-us+m2", pitch=42, range=60, wpm=178), created=1700000800),
    _voice("N2lVS1w4EtoT3dr4eOWO", "Callum",
           {"accent": "transatlantic", "description": "intense", "age": "middle aged", "gender": "male",
            "use_case": "characters"},
           "Deceptively gravelly, yet unsettling edge.",
           Voicing("en-us+m4", pitch=30, range=40, wpm=160), created=1700000900),
    _voice("SAz9YHcvj6GT2YYXdXww", "River",
           {"accent": "american", "description": "relaxed", "age": "middle aged", "gender": "non-binary",
            "use_case": "conversational"},
           "A relaxed, neutral voice ready for narrations or conversational projects.",
           Voicing("en-us+f2", pitch=52, range=45, wpm=168), created=1700001000),
    _voice("XB0fDUnXU5powFXDhCwa", "Charlotte",
           {"accent": "swedish", "description": "sensual", "age": "young", "gender": "female",
            "use_case": "characters"},
           "Sensual and raspy, she's ready to voice your temptress in video games.",
           Voicing("sv+f3", pitch=66, range=65, wpm=165), created=1700001100),
    _voice("onwK4e9ZLuTAKqWW03F9", "Daniel",
           {"accent": "british", "description": "authoritative", "age": "middle aged", "gender": "male",
            "use_case": "news"},
           "A strong voice perfect for delivering a professional broadcast or news story.",
           Voicing("en-gb+m1", pitch=35, range=35, wpm=170), created=1700001200),
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
