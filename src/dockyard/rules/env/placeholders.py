"""EN007, EN008: templates hold placeholders for secrets; deployed env files hold none."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockyard.compose.environments import in_fixture_folder
from dockyard.envtools import (
    environment_of, is_dummy_value, is_issued_credential, is_local_environment, is_reference_only, is_template,
    value_span,
)
from dockyard.model import Applicability, Edit, Fix, Problem
from dockyard.rules.base import Context, Scope, rule
from dockyard.rules.env._envfiles import FIXTURES, parsed, public_values, value_position
from dockyard.secrets import contains_placeholder, is_placeholder, is_secret_name, url_credentials



def placeholder_for(key: str) -> str:
    return "CHANGE_ME_" + re.sub(r"[^A-Za-z0-9_]", "_", key).upper()


@rule(
    code="EN007", name="template-holds-secret", scope=Scope.ENV_FILE, category="placeholder",
    summary="Env templates hold placeholders (`CHANGE_ME_...`) for secrets, never real ones (nor empty required ones)",
    why="Templates are committed: a real value in one is a leaked secret, and it tends to be copied unchanged "
    "into every environment created from the template. A placeholder makes the missing secret obvious and "
    "lets `dockyard env init` generate a strong one.",
    standard=("EN-PLACEHOLDERS",),
    section="Comprehensive Environment File Organization; Secrets Management",
    fix="unsafe",
    example="SECRET_KEY=s3cr3t-dev-key\n",
    use_instead="SECRET_KEY=CHANGE_ME_DEV_SECRET_KEY_MIN_32_CHARS\n",
    notes=FIXTURES + "Applies to `*.example` templates. Values built only from references (`${DB_PASSWORD}`) are "
    "fine. A password inside a URL (`postgresql://app:pw@db/app`) counts as a secret. An empty secret is reported "
    "only when a compose file requires the variable (`${X:?...}`): templates leave optional settings empty on "
    "purpose (an integration not used locally, a token the setup fills in), and a placeholder there would switch "
    "the feature on with a bogus value. Another spelling of \"fill me in\" is a placeholder too: a value that "
    "is only a marker word, maybe dressed in punctuation (`__UNSET__`, `*** REPLACE ***`, `your-api-key`, "
    "`xxxx`, `TODO`), is no value anyone runs with, and EN008 reports it where a deployed file keeps it. A dummy "
    "word (`test`, `dummy`, `example`, `<token>`) is no leaked secret either, but it works as a value and is "
    "copied unchanged: it is reported as a missing placeholder, with nothing to rotate; so are the metasyntactic "
    "words (`foo`, `bar`) and the defaults everyone writes (`secret`, `password`, `changeit`). A value that an env file committed on purpose "
    "holds under the same name (one the `.gitignore` re-includes after ignoring it, `.env` then `!data/.env`: the "
    "settings of sample data) is public by that choice, and a template that repeats it (the key a committed sample "
    "dump is encrypted with) is not reported: a placeholder there would break what the value opens. The fix "
    "writes a placeholder; a real secret it replaces must still be rotated, as it stays in the repository's "
    "history.",
)
def template_secrets(ctx: Context) -> Iterator[Problem]:
    sf = ctx.file
    if sf is None or not is_template(sf.path) or in_fixture_folder(sf.path):
        return  # not a template; or one of a test stack or a development container
    env = parsed(ctx.project, sf)
    public = public_values(ctx.project)
    for entry in env.entries:
        raw = entry.raw_value
        if entry.inherited or is_placeholder(raw) or is_reference_only(raw):
            continue
        if (entry.key, entry.value) in public:
            continue  # the value of a file committed on purpose (sample data's key): public, nothing to rotate
        if is_secret_name(entry.key, entry.value):
            start, end = value_span(sf.text, entry, sf.line_starts)
            fix = Fix((Edit(start, end, placeholder_for(entry.key)),), Applicability.UNSAFE)
            if raw == "":
                if entry.key not in _required_by_compose(ctx.project):
                    continue  # an optional setting left empty on purpose: nothing requires it to be set
                source = "to the value the provider issued" if is_issued_credential(entry.key) \
                    else "and `dockyard env init` can generate it"
                yield Problem(f"secret `{entry.key}` is empty in the template: write a `CHANGE_ME_...` placeholder "
                              f"so that every environment must set it ({source})", value_position(entry), fix=fix)
            elif is_dummy_value(entry.value):
                yield Problem(f"`{entry.key}` holds a dummy value in the template, not a placeholder: write "
                              f"`{placeholder_for(entry.key)}` so that every environment must set its own",
                              value_position(entry), fix=fix)
            else:
                yield Problem(f"`{entry.key}` holds what looks like a real secret (********) in a committed "
                              f"template: replace it with a placeholder such as `{placeholder_for(entry.key)}` "
                              "and rotate it", value_position(entry), fix=fix)
            continue
        m = next(url_credentials(raw), None)
        if m is not None:
            password = m.group("password")
            if not is_placeholder(password) and not is_reference_only(password) and "$" not in password:
                yield Problem(f"`{entry.key}` embeds a password (********) in a committed template: use "
                              f"`${{...}}` references to a placeholder secret instead", value_position(entry))


def _required_by_compose(project) -> set[str]:
    """The variables a compose file of the project requires (``${X:?...}``, ``${X?...}``): compose refuses to start
    without them."""
    from dockyard.analysis.variables import compose_strings  # lazy: only a template with an empty secret needs it
    from dockyard.compose.context import environment_views  # lazy: only a template with an empty secret needs it
    from dockyard.parsers.interpolation import scan  # lazy: only a template with an empty secret needs it

    def compute() -> set[str]:
        return {ref.name for view in environment_views(project)
                for _, text, _ in compose_strings(view.documents, view.compose_files)
                for ref in scan(text).refs if ref.operator in (":?", "?")}

    return project.memo("env.required_by_compose", compute)


@rule(
    code="EN008", name="placeholder-in-env-file", scope=Scope.ENV_FILE, category="placeholder",
    summary="Real env files of deployed environments (staging, production, ...) hold no placeholders (`CHANGE_ME`)",
    why="A placeholder left in a staging or production env file is a publicly known value: anyone who has read "
    "the template knows the secret, and the service starts as if configured.",
    standard=("EN-PLACEHOLDERS",),
    section="Comprehensive Environment File Organization; Secrets Management",
    example={".env.prod": "SECRET_KEY=CHANGE_ME_PROD_SECRET_KEY_MIN_32_CHARS\n"},
    use_instead={".env.prod": "SECRET_KEY=q7H2vN9xLc4RtY8wZ1mKp3Bs6Dg0Jf5Ua2Xe\n"},
    notes="Real files of local environments (`dev`, `development`, `local`, `test`, `testing`, `ci`) and the "
    "plain `.env` may keep placeholders. A value that is only another marker of one (`__UNSET__`, "
    "`*** REPLACE ***`, `TODO`) is a placeholder left too. `dockyard env init --env NAME` replaces the secrets' "
    "placeholders with generated secrets.",
)
def deployed_placeholders(ctx: Context) -> Iterator[Problem]:
    sf = ctx.file
    if sf is None or is_template(sf.path):
        return
    name = environment_of(sf.path)
    if is_local_environment(name):
        return
    for entry in parsed(ctx.project, sf).entries:
        if not entry.inherited and contains_placeholder(entry.raw_value):
            yield Problem(f"`{entry.key}` still holds the template's placeholder in the `{name}` env file: set a "
                          f"real value (for secrets, `dockyard env init --env {name}` generates them)",
                          value_position(entry))
