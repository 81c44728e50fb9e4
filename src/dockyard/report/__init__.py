"""Reporters: each turns a :class:`dockyard.engine.Result` into text. They never see the rules."""

from __future__ import annotations

import importlib

FORMATS = ("text", "json", "sarif", "github")


def render(result, fmt: str, *, color: bool = False) -> str:
    module = importlib.import_module(f"dockyard.report.{fmt}_report")
    return module.render(result, color=color)
