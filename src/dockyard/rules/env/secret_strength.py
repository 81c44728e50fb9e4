"""EN009: secrets in real env files are long and random."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockyard.compose.environments import in_fixture_folder
from dockyard.envtools import (
    MIN_SECRET_LENGTH, is_dummy_value, is_issued_credential, is_reference_only, is_template, weakness,
)
from dockyard.model import Problem
from dockyard.regex import lazy_compile
from dockyard.rules.base import Context, Scope, rule
from dockyard.rules.env._envfiles import FIXTURES, committed_on_purpose, parsed, value_position
from dockyard.secrets import contains_placeholder, is_secret_name, url_credentials

# keys whose replacement makes what they encrypted unreadable unless it is encrypted again
_ENCRYPTION_KEY = lazy_compile(r"(?:ENCRYPTION|ENCRYPT|FERNET|CIPHER|CRYPT)_?KEY", re.IGNORECASE)


@rule(
    code="EN009", name="weak-secret", scope=Scope.ENV_FILE, category="weak",
    summary=f"Secrets in real env files are at least {MIN_SECRET_LENGTH} characters and not guessable",
    why="Signing keys and passwords that are short, made of words, repeated or sequential fall to a dictionary "
    "or brute-force attack in minutes; a token from a cryptographic generator does not. The standard asks for "
    f"{MIN_SECRET_LENGTH} characters at least (`MIN_32_CHARS`).",
    standard=("EN-SECRET-STRENGTH",), section="Comprehensive Environment File Organization (MIN_32_CHARS)",
    example={".env.prod": "SECRET_KEY=my-secret-key\n"},
    use_instead={".env.prod": "SECRET_KEY=q7H2vN9xLc4RtY8wZ1mKp3Bs6Dg0Jf5Ua2Xe\n"},
    notes=FIXTURES + "Judged: variables whose names say they are secrets (`*PASSWORD*`, `*SECRET*`, `*TOKEN*`, "
    "`*_KEY`, ...) and passwords inside URLs, in real env files (not templates). A secret is weak when it is "
    f"shorter than {MIN_SECRET_LENGTH} characters, repeats a pattern or a character, contains a common word or "
    "a keyboard/alphabet sequence, uses a single character class, or has under 3 bits of Shannon entropy per "
    "character. Empty values, values built from `${...}` references and `CHANGE_ME` placeholders (EN008) are "
    "left to other rules. `python -c 'import secrets; print(secrets.token_urlsafe(32))'` makes a good one, except "
    "for a credential a provider issues (`*_CLIENT_SECRET`, `*_API_KEY`, `*_ACCESS_KEY`, "
    "`*_ACCESS_TOKEN`, `*_BOT_TOKEN`, ...): a dummy value there (`test`, `dummy`, `your-key`) is reported as such, "
    "and the advice is to set the value the provider issued, never to generate one. Advice to replace an "
    "encryption key (`*ENCRYPTION_KEY*`, `*FERNET_KEY*`, `*CIPHER_KEY*`) says that what it encrypted must be "
    "encrypted again with the new one. An env file the `.gitignore` re-includes after ignoring it (`.env` then "
    "`!data/.env`) is committed on purpose (the settings of sample data, a fixture): its values are public by that "
    "choice, and one may have to stay what it is (the key a committed sample dump is encrypted with), so it is not "
    "judged.",
)
def check(ctx: Context) -> Iterator[Problem]:
    sf = ctx.file
    if sf is None or is_template(sf.path) or committed_on_purpose(ctx.project, sf.path) is not None or \
            in_fixture_folder(sf.path):
        return  # a template; a file committed on purpose, whose values are public by that choice; a fixture's
    for entry in parsed(ctx.project, sf).entries:
        raw, value = entry.raw_value, entry.value
        if entry.inherited or value is None or contains_placeholder(raw) or is_reference_only(raw):
            continue
        if is_secret_name(entry.key, value):
            if value == "":
                continue
            m = next(url_credentials(value), None) if "://" in value else None
            candidate = m.group("password") if m is not None else value
            issued = m is None and is_issued_credential(entry.key)
            if issued and is_dummy_value(value):
                yield Problem(f"`{entry.key}` holds a dummy value, not the credential a provider issues: set the value "
                              "the provider issued", value_position(entry))
                continue
            reason = weakness(candidate)
            if reason is not None:
                what = "the password in" if m is not None else "secret"
                advice = "it is a credential a provider issues: set the value the provider issued, not a made-up one" \
                    if issued else "generate one with `secrets.token_urlsafe(32)`" + (
                        " (data encrypted with the current key must be decrypted and encrypted again with the new one, "
                        "or it can no longer be read)" if _ENCRYPTION_KEY.search(entry.key) else "")
                yield Problem(f"{what} `{entry.key}` is weak: {reason}; {advice}", value_position(entry))
            continue
        m = next(url_credentials(value), None)
        if m is not None and "$" not in m.group("password") and "${" not in raw[:raw.find("@")]:
            reason = weakness(m.group("password"))
            if reason is not None:
                yield Problem(f"the password in `{entry.key}` is weak: {reason}; reference a strong secret "
                              "variable instead", value_position(entry))
