from tests.helpers import run_files, triples


def test_literal_secrets_in_env_and_arg_are_masked(tmp_path):
    text = "FROM python:3.12-slim\nENV APP_ENV=prod API_KEY=secret123\nARG DB_PASSWORD=\"hunter2\"\n"
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF053")
    assert triples(found) == [("DF053", 2, 18), ("DF053", 3, 5)]
    assert all("secret123" not in f.message and "hunter2" not in f.message for f in found)
    assert "API_KEY=********" in found[0].message


def test_references_empty_and_harmless_names_pass(tmp_path):
    text = ("FROM python:3.12-slim\nARG API_TOKEN\nENV API_TOKEN=${API_TOKEN} SECRET_KEY_FILE=/run/secrets/key "
            "JWT_ALGORITHM=HS256\nENV PASSWORD=\n")
    assert run_files(tmp_path, {"Dockerfile": text}, select="DF053") == []


def test_key_fingerprints_and_checksums_are_not_secrets(tmp_path):
    # the official images verify their downloads with these
    text = ("FROM debian:bookworm-slim\n"
            "ENV GPG_KEY 7169605F62C751356D054A26A821E680E5FA6305\n"
            "ENV PYTHON_SHA256 143b1dddefaec3bd2e21e3b839b34a2b7fb9842272883c576420d605e9f30c63\n"
            "ARG NODE_GPG_KEYS=\"4ED778F539E3634C779C87C6D7062848A1AB005C 141F07595B7B3FFE74309A937405533BE57C7D57\"\n"
            "ENV REPO_KEY_ID=0xA8D3785C TINI_FINGERPRINT=\"6380 DC42 8747 F6C3 93FE  ACA5 9A84 159D 7001 A4E5\"\n"
            "ARG APP_CHECKSUM=sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n")
    assert run_files(tmp_path, {"Dockerfile": text}, select="DF053") == []


def test_real_secrets_stay_secret_even_in_hex(tmp_path):
    text = ("FROM python:3.12-slim\n"
            "ENV API_KEY=7169605F62C751356D054A26A821E680E5FA6305\n"
            "ENV SECRET_KEY=143b1dddefaec3bd2e21e3b839b34a2b7fb98422\n"
            "ENV PRIVATE_KEY=4ED778F539E3634C779C87C6D7062848A1AB005C\n"
            "ENV GPG_KEY=\"-----BEGIN PGP PRIVATE KEY BLOCK-----\"\n"
            "ENV GPG_PASSPHRASE=0123456789abcdef\n")
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF053")
    assert triples(found) == [("DF053", 2, 5), ("DF053", 3, 5), ("DF053", 4, 5), ("DF053", 5, 5), ("DF053", 6, 5)]
    assert all("0123456789abcdef" not in f.message and "7169605F" not in f.message for f in found)


def test_tokenizer_caches_and_folders_are_not_secrets(tmp_path):
    # tiktoken's cache folder and encodings, and a tokenizer library's switch, name no credential
    text = ("FROM python:3.12-slim\n"
            "ENV TIKTOKEN_CACHE_DIR=/home/worker/app/tiktoken_cache\n"
            "ENV TIKTOKEN_ENCODINGS_BASE=/home/worker/app/encodings TOKENIZERS_PARALLELISM=false\n"
            "ENV HF_TOKEN=hf_abcdefgh12345678\n")
    assert triples(run_files(tmp_path, {"Dockerfile": text}, select="DF053")) == [("DF053", 4, 5)]


def test_a_placeholder_an_entrypoint_replaces_is_no_secret(tmp_path):
    text = ("FROM node:20-alpine\n"
            "ENV VITE_API_KEY=__SKYVERN_API_KEY_PLACEHOLDER__\n"
            "ENV API_TOKEN=CHANGE_ME API_SECRET=placeholder-secret\n"
            "ENV SECRET_KEY=notaplaceholdervalue1\n")
    assert triples(run_files(tmp_path, {"Dockerfile": text}, select="DF053")) == [("DF053", 4, 5)]
