import pytest

from dockyard.envtools import generate_secret, weakness
from tests.helpers import described, run_files, triples

STRONG = "q7H2vN9xLc4RtY8wZ1mKp3Bs6Dg0Jf5Ua2Xe"


@pytest.mark.parametrize("value, reason", [
    ("short", "5 characters"),
    ("abcdabcdabcdabcdabcdabcdabcdabcdabcd", "repeated pattern"),
    ("xK9#mP2$vL5@nQ8!aaaaT3&wR6*zY1^bB4", "same character"),
    ("Tr0ub4dor&3-MyPassword-Is-Long-Enough!", "common word"),
    ("x9Q2mLzxcvbnm7Hk3Zv8Np4Ws1Ct6Rb0Ty", "sequence"),
    ("kjqdfgkxhdfgwerpaibzxmtqvlkrhgwdsaqe", "single character class"),
    ("abcabcabcabcabcabcabcabcabcabcabcabc", "repeated pattern"),
    ("aAaaAAaAAaaaAaAAaaAaAAAaaAaAaaAAaAaaA", "low entropy"),
])
def test_weakness_reasons(value, reason):
    assert reason in weakness(value)


def test_generated_secrets_are_strong():
    for _ in range(200):
        s = generate_secret()
        assert len(s) >= 32 and weakness(s) is None


def test_weak_secrets_in_real_files(tmp_path):
    prod = (f"SECRET_KEY=my-secret-key\nJWT_SECRET_KEY={STRONG}\nDATABASE_URL=postgresql://app:pw@db/app\n"
            f"ADMIN_PASSWORD=\"{'x' * 40}\"\nEMPTY_TOKEN=\nDERIVED_SECRET=${{JWT_SECRET_KEY}}\n"
            "API_KEY=CHANGE_ME_API_KEY\nDEBUG=false\n")
    found = run_files(tmp_path, {".env.prod": prod}, select=("EN008", "EN009"))
    # forty `x` are a placeholder left in the file (EN008), as `CHANGE_ME_API_KEY` is, not a weak secret
    assert triples(found) == [("EN009", 1, 12), ("EN009", 3, 14), ("EN008", 4, 16), ("EN008", 7, 9)]
    assert all("my-secret-key" not in f.message and "x" * 40 not in f.message for f in found)


def test_templates_are_not_judged_and_strong_secrets_pass(tmp_path):
    files = {".env.prod.example": "SECRET_KEY=short\n", ".env.prod": f"SECRET_KEY={STRONG}\n"}
    assert run_files(tmp_path, files, select="EN009") == []


def test_credentials_a_provider_issues_are_not_to_be_generated(tmp_path):
    # a provider issues OAuth client secrets and API keys: a dummy or weak value is replaced by the issued one;
    # self-generated secrets (signing keys, passwords) keep the advice to generate one
    live = ("SOCIAL_CLIENT_SECRET=test\nMAPS_API_KEY='dummy'\nSTORAGE_ACCESS_KEY=k3y-9Xa\nSECRET_KEY=test\n"
            "DB_PASSWORD=hunter2\n")
    found = run_files(tmp_path, {"deploy/.env.live": live}, select="EN009")
    assert described(found) == [
        ("EN009", 1, 22, "`SOCIAL_CLIENT_SECRET` holds a dummy value, not the credential a provider issues: set the "
                         "value the provider issued"),
        ("EN009", 2, 14, "`MAPS_API_KEY` holds a dummy value, not the credential a provider issues: set the "
                         "value the provider issued"),
        ("EN009", 3, 20, "secret `STORAGE_ACCESS_KEY` is weak: 7 characters (at least 32 required); it is a "
                         "credential a provider issues: set the value the provider issued, not a made-up one"),
        ("EN009", 4, 12, "secret `SECRET_KEY` is weak: 4 characters (at least 32 required); generate one with "
                         "`secrets.token_urlsafe(32)`"),
        ("EN009", 5, 13, "secret `DB_PASSWORD` is weak: 7 characters (at least 32 required); generate one with "
                         "`secrets.token_urlsafe(32)`"),
    ]


def test_an_env_file_committed_on_purpose_holds_no_secret_to_strengthen(tmp_path):
    # its values are public by the repository's choice (`!fixtures/.env`): a key that decrypts a committed sample
    # dump must stay what it is
    files = {".gitignore": ".env\n!fixtures/.env\n", "fixtures/.env": "DATA_ENCRYPTION_KEY=Qm7dWz2PbHT8hx\n",
             ".env.prod": "DATA_ENCRYPTION_KEY=Qm7dWz2PbHT8hx\n"}
    found = run_files(tmp_path, files, select="EN009")
    assert described(found, path=True) == [
        (".env.prod", "EN009", 1, 21, "secret `DATA_ENCRYPTION_KEY` is weak: 14 characters (at least 32 required); generate "
         "one with `secrets.token_urlsafe(32)` (data encrypted with the current key must be decrypted and encrypted "
         "again with the new one, or it can no longer be read)")]
