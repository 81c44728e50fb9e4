from dockyard.fix import apply_edits
from tests.helpers import described, run_files, triples


def test_real_and_empty_secrets_in_templates(tmp_path):
    text = ("SECRET_KEY=s3cr3t\nJWT_SECRET_KEY=\"another-one\"\nADMIN_PASSWORD=\nDB_PASSWORD=CHANGE_ME_DB\n"
            "DATABASE_URL=postgresql://app:hunter2@db/app\nREDIS_URL=redis://:${REDIS_PASSWORD}@redis\n"
            "DERIVED_TOKEN=${SECRET_KEY}\nJWT_ALGORITHM=HS256\n")
    # the stack requires the admin password (`${ADMIN_PASSWORD:?}`): its empty value is a missing placeholder
    compose = "services:\n  app:\n    image: app:1\n    environment:\n      ADMIN: ${ADMIN_PASSWORD:?set it}\n"
    found = run_files(tmp_path, {".env.dev.example": text, "compose.yaml": compose}, select="EN007")
    assert triples(found) == [("EN007", 1, 12), ("EN007", 2, 16), ("EN007", 3, 16), ("EN007", 5, 14)]
    assert all("s3cr3t" not in f.message and "hunter2" not in f.message for f in found)
    fixed = apply_edits(text, [e for f in found[:3] for e in f.fix.edits])
    assert fixed.splitlines()[:3] == ["SECRET_KEY=CHANGE_ME_SECRET_KEY", 'JWT_SECRET_KEY="CHANGE_ME_JWT_SECRET_KEY"',
                                      "ADMIN_PASSWORD=CHANGE_ME_ADMIN_PASSWORD"]


def test_public_key_fingerprints_in_templates_need_no_placeholder(tmp_path):
    text = ("GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305\nRELEASE_SHA256=\"" + "ab" * 32 + "\"\n"
            "SIGNING_KEY=7169605F62C751356D054A26A821E680E5FA6305\n")
    found = run_files(tmp_path, {".env.dev.example": text}, select="EN007")
    assert triples(found) == [("EN007", 3, 13)]


def test_switches_named_after_a_credential_are_no_secret(tmp_path):
    # a CORS flag (`allow_credentials`) and switches about a token: no credential is spelt `True`
    text = ("IS_ALLOWED_CREDENTIALS=True\nAUTH_TOKEN_REQUIRED=false\nHAS_API_KEY=yes\nAPI_TOKEN=on\n"
            "JWT_SECRET_KEY=realvalue\n")
    found = run_files(tmp_path, {".env.example": text}, select="EN007")
    assert described(found, path=True, message=False) == [(".env.example", "EN007", 5, 16)]


def test_templates_with_placeholders_pass(tmp_path):
    text = "SECRET_KEY=CHANGE_ME_DEV_SECRET_KEY_MIN_32_CHARS\nURL=postgresql://app:CHANGE_ME_PW@db/app\n"
    assert run_files(tmp_path, {".env.dev.example": text, ".env.dev": "SECRET_KEY=x\n"}, select="EN007") == []


def test_placeholders_left_in_deployed_files(tmp_path):
    prod = "BASE_URL=https://api.example.com\nSECRET_KEY=CHANGE_ME_PROD_SECRET\nHOOK=https://CHANGE_ME.example\n"
    found = run_files(tmp_path, {".env.prod": prod, ".env.staging": "A='change_me'\n"}, select="EN008")
    assert described(found, path=True, message=False) == [
        (".env.prod", "EN008", 2, 12), (".env.prod", "EN008", 3, 6), (".env.staging", "EN008", 1, 3)]


def test_local_files_and_templates_may_keep_placeholders(tmp_path):
    files = {".env.dev": "SECRET_KEY=CHANGE_ME\n", ".env": "SECRET_KEY=CHANGE_ME\n",
             ".env.prod.example": "SECRET_KEY=CHANGE_ME\n", ".env.test": "SECRET_KEY=CHANGE_ME\n"}
    assert run_files(tmp_path, files, select="EN008") == []


def test_empty_and_dummy_values_in_templates_are_no_leaked_secret(tmp_path):
    # an empty value is no secret: it is asked to be a placeholder, never called real; a dummy word (`test`,
    # `dummy`) is a stand-in, not a leak: no "real secret" and no rotation; `your-api-key-here` is a marker that
    # says "fill me in", a placeholder of another spelling: not reported
    text = ("CACHE_PASSWORD=''\nSOCIAL_CLIENT_SECRET='test'\nSECRET_KEY=dummy\nMAIL_API_KEY=your-api-key-here\n"
            "SESSION_SECRET=s3cr3t-dev-key\n")
    # compose refuses to start without the cache password: its empty value in the template is a missing placeholder
    compose = "services:\n  cache:\n    image: redis:7\n    command: redis-server --requirepass ${CACHE_PASSWORD:?}\n"
    found = run_files(tmp_path, {".env.example": text, "compose.yaml": compose}, select="EN007")
    assert described(found) == [
        ("EN007", 1, 16, "secret `CACHE_PASSWORD` is empty in the template: write a `CHANGE_ME_...` placeholder so "
                         "that every environment must set it (and `dockyard env init` can generate it)"),
        ("EN007", 2, 22, "`SOCIAL_CLIENT_SECRET` holds a dummy value in the template, not a placeholder: write "
                         "`CHANGE_ME_SOCIAL_CLIENT_SECRET` so that every environment must set its own"),
        ("EN007", 3, 12, "`SECRET_KEY` holds a dummy value in the template, not a placeholder: write "
                         "`CHANGE_ME_SECRET_KEY` so that every environment must set its own"),
        ("EN007", 5, 16, "`SESSION_SECRET` holds what looks like a real secret (********) in a committed template: "
                         "replace it with a placeholder such as `CHANGE_ME_SESSION_SECRET` and rotate it"),
    ]
    fixed = apply_edits(text, [e for f in found[1:2] for e in f.fix.edits])
    assert fixed.splitlines()[1] == "SOCIAL_CLIENT_SECRET='CHANGE_ME_SOCIAL_CLIENT_SECRET'"


def test_empty_credential_a_provider_issues_is_not_generated(tmp_path):
    compose = "services:\n  app:\n    image: app:1\n    environment:\n      SECRET: ${SOCIAL_CLIENT_SECRET?}\n"
    found = run_files(tmp_path, {".env.example": "SOCIAL_CLIENT_SECRET=\n", "compose.yaml": compose}, select="EN007")
    assert described(found) == [
        ("EN007", 1, 22, "secret `SOCIAL_CLIENT_SECRET` is empty in the template: write a `CHANGE_ME_...` placeholder "
                         "so that every environment must set it (to the value the provider issued)")]


def test_metasyntactic_and_default_words_are_dummy_values(tmp_path):
    # `foo`, `bar`, `changeit`, `secret`: words everyone writes for "some value", no secret anybody could leak
    text = "JWT_SECRET=\"foo\"\nWEBHOOK_SECRET=bar\nKEYSTORE_PASSWORD=changeit\nSIGNING_SECRET=secret\n"
    found = run_files(tmp_path, {".env.example": text}, select="EN007")
    assert described(found) == [
        ("EN007", 1, 12, "`JWT_SECRET` holds a dummy value in the template, not a placeholder: write "
                         "`CHANGE_ME_JWT_SECRET` so that every environment must set its own"),
        ("EN007", 2, 16, "`WEBHOOK_SECRET` holds a dummy value in the template, not a placeholder: write "
                         "`CHANGE_ME_WEBHOOK_SECRET` so that every environment must set its own"),
        ("EN007", 3, 19, "`KEYSTORE_PASSWORD` holds a dummy value in the template, not a placeholder: write "
                         "`CHANGE_ME_KEYSTORE_PASSWORD` so that every environment must set its own"),
        ("EN007", 4, 16, "`SIGNING_SECRET` holds a dummy value in the template, not a placeholder: write "
                         "`CHANGE_ME_SIGNING_SECRET` so that every environment must set its own"),
    ]


def test_a_value_an_env_file_committed_on_purpose_publishes_is_no_leak(tmp_path):
    # `.gitignore` ignores `.env` files and re-includes `fixtures/.env` by name: that file is committed on purpose
    # (the settings of the sample data it sits beside), so its values are public; a template that repeats one of
    # them under the same name (the key the sample dump was encrypted with) leaks nothing and rotates nothing
    files = {".gitignore": ".env\n!fixtures/.env\n", "fixtures/.env": "DB_HOST=localhost\nDATA_ENCRYPTION_KEY=Qm7dWz2PbHT8hx\n",
             "dev/.env.example": "DATA_ENCRYPTION_KEY=\"Qm7dWz2PbHT8hx\"\nSESSION_SECRET=Qm7dWz2PbHT8hx\n"}
    found = run_files(tmp_path / "a", files, select="EN007")
    assert described(found, path=True, message=False) == [("dev/.env.example", "EN007", 2, 16)]
    # without the re-inclusion the file is no deliberate publication: the value is a secret the template leaks
    files[".gitignore"] = ".venv\n"
    found = run_files(tmp_path / "b", files, select="EN007")
    assert described(found, path=True, message=False) == [("dev/.env.example", "EN007", 1, 21),
                                                          ("dev/.env.example", "EN007", 2, 16)]


def test_marker_words_dressed_in_punctuation_are_placeholders_of_another_spelling(tmp_path):
    # `__UNSET__` and `*** REPLACE ***` say "fill me in" as CHANGE_ME does, and nobody runs with them: the template
    # holds placeholders. A dummy word dressed the same way (`[test]`) still works as a value: reported
    text = ("STRIPE_SECRET_KEY=\"__UNSET__\"\nGITHUB_CLIENT_SECRET=\"*** REPLACE ***\"\nAPI_TOKEN=[redacted]\n"
            "DISCORD_BOT_TOKEN = \"*** REPLACE ***\"\nMAPS_API_KEY=your-maps-api-key\nJWT_SECRET=[test]\n"
            "WEBHOOK_SECRET=change-me\n")
    found = run_files(tmp_path, {".env.example": text}, select="EN007")
    assert triples(found) == [("EN007", 6, 12)]
    assert found[0].message.startswith("`JWT_SECRET` holds a dummy value in the template, not a placeholder")


def test_the_name_of_the_credential_to_paste_is_a_placeholder(tmp_path):
    # a template that names, in capitals, what to paste holds no secret
    text = ("LNBITS_KEY=LNBITS_ADMIN_KEY\nALBY_ACCESS_TOKEN=ALBY_ACCESS_TOKEN\nBREEZ_API_KEY=KEY\n"
            "OPENNODE_KEY=\"OPENNODE_ADMIN_KEY\"\nLNPAY_API_KEY=Zq8vL2xN4kTqWm7\n")
    found = run_files(tmp_path, {".env.example": text}, select="EN007")
    assert triples(found) == [("EN007", 5, 15)]


def test_a_marker_left_in_a_deployed_file_is_a_placeholder_left(tmp_path):
    prod = "STRIPE_SECRET_KEY=\"*** REPLACE ***\"\nGITHUB_CLIENT_SECRET=__UNSET__\nTODO_LIST_URL=https://todo.example\n"
    found = run_files(tmp_path, {".env.prod": prod}, select="EN008")
    assert triples(found) == [("EN008", 1, 19), ("EN008", 2, 22)]


def test_an_optional_secret_left_empty_in_a_template_is_not_reported(tmp_path):
    # a webhook secret of an integration not used locally, a token the setup script fills in: nothing requires them,
    # and a placeholder would switch the feature on with a bogus value
    text = "STRIPE_WEBHOOK_SECRET=\nTINYBIRD_TOKEN=\n"
    compose = "services:\n  app:\n    image: app:1\n    environment:\n      TOKEN: ${TINYBIRD_TOKEN:-}\n"
    assert run_files(tmp_path, {".env.example": text, "compose.yaml": compose}, select="EN007") == []
