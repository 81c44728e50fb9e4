"""Jinja/cookiecutter templates: what makes a path or a file's text one.

A template (a file whose path or text carries ``{{ }}``/``{% %}`` markers) is set aside during discovery
(:attr:`dockyard.project.Project.templates`) and never judged as the file it will become (see
:mod:`dockyard.roles`, where ``template`` is one of the roles, and DY004).
"""

from __future__ import annotations

from dockyard.regex import lazy_compile

TEMPLATE_MARK = lazy_compile(r"\{%-?\s*[A-Za-z_][^%\n]*%\}|(?<!\$)\{\{-?\s*[A-Za-z_][\w.]*\s*(?:\|[^{}\n]*)?-?\}\}")


def template_path(rel: str) -> str | None:
    """The template tree ``rel`` lies in (the shortest prefix whose last part has markers), or None."""
    parts = rel.split("/")
    for i, part in enumerate(parts):
        if "{{" in part or "{%" in part:
            return "/".join(parts[: i + 1])
    return None


def has_template_markers(text: str) -> bool:
    """Jinja/cookiecutter ``{{ name }}`` or ``{% tag %}`` markers (not ``${{ }}``, not Go's ``{{ .Field }}``)."""
    return ("{{" in text or "{%" in text) and TEMPLATE_MARK.search(text) is not None
