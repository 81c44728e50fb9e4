"""What the project runs: the gunicorn settings of its FastAPI services (file, command flags, GUNICORN_CMD_ARGS).

Computed once per run (``project.memo``) and shared by the PY rules.
"""

from __future__ import annotations

import shlex
from pathlib import PurePosixPath

from dockyard.parsers.gunicorn import GunicornConfig, parse_cmd_args_env, parse_command
from dockyard.records import field, record
from dockyard.analysis.image_stage import image_stage
from dockyard.roles import APP, roles
from dockyard.source import FileKind

CONFIG_NAMES = ("gunicorn_config.py", "gunicorn.conf.py", "gunicorn_conf.py", "gunicorn_cfg.py")


@record
class Runtime:
    configs: list[GunicornConfig] = field(default_factory=list)  # config files in use (or found)
    commands: list[GunicornConfig] = field(default_factory=list)  # gunicorn command lines and env args
    uses_gunicorn: bool = False

    def effective(self, name: str):
        """The setting as gunicorn sees it: command flags and GUNICORN_CMD_ARGS override the file."""
        for cfg in self.commands:
            if name in cfg.settings:
                return cfg, cfg.settings[name]
        for cfg in self.configs:
            if name in cfg.settings:
                return cfg, cfg.settings[name]
        return None, None


def _unquote(value: str) -> str:
    try:
        parts = shlex.split(value)
    except ValueError:
        return value
    return " ".join(parts) if parts else ""


def _dockerfile_commands(project, rt: Runtime, referenced: set[str]) -> None:
    classified = roles(project)
    for sf in project.files_of(FileKind.DOCKERFILE):
        if sf.text is None or classified.dockerfile(sf).role != APP:
            continue  # gunicorn serving a Django or Flask app is no FastAPI service's
        df = project.dockerfile(sf)
        final = image_stage(df)
        stages = df.ancestry(final) if final is not None else []
        for stage in stages:
            for ins in stage.instructions:
                if ins.keyword in ("CMD", "ENTRYPOINT"):
                    if ins.json_form:
                        argv = list(ins.value)
                    else:
                        try:
                            argv = shlex.split(ins.shell_text or " ".join(ins.value))
                        except ValueError:
                            continue
                    cfg = parse_command(argv, sf.path, ins.args_span.line, ins.args_span.column,
                                        ins.args_span.end_line, ins.args_span.end_column)
                    if cfg is not None:
                        rt.uses_gunicorn = True
                        rt.commands.append(cfg)
                        if "config" in cfg.settings:
                            referenced.add(str(cfg.settings["config"].value))
                elif ins.keyword == "ENV":
                    vals = list(ins.value)
                    for k, v in zip(vals[::2], vals[1::2]):
                        if k == "GUNICORN_CMD_ARGS":
                            s = ins.args_span
                            rt.commands.append(parse_cmd_args_env(_unquote(v), sf.path, s.line, s.column, s.end_line, s.end_column))


def _compose_commands(project, rt: Runtime, referenced: set[str]) -> None:
    for sf in project.files_of(FileKind.COMPOSE):
        services = project.compose_services(sf)
        if not services:
            continue
        service_roles = roles(project).file_services(sf)
        for name, svc in services.items():
            if not isinstance(svc, dict) or str(name) not in service_roles or service_roles[str(name)].role != APP:
                continue
            cmd = svc.get("command")
            argv: list[str] = []
            if isinstance(cmd, str):
                try:
                    argv = shlex.split(cmd)
                except ValueError:
                    argv = cmd.split()
            elif isinstance(cmd, list):
                argv = [str(a) for a in cmd]
            pos = svc.value_pos("command") if hasattr(svc, "value_pos") and "command" in svc else None
            if argv:
                line, col = (pos.line, pos.column) if pos else (1, 1)
                cfg = parse_command(argv, sf.path, line, col, pos.end_line if pos else 1, pos.end_column if pos else 1)
                if cfg is not None:
                    rt.uses_gunicorn = True
                    rt.commands.append(cfg)
                    if "config" in cfg.settings:
                        referenced.add(str(cfg.settings["config"].value))


def runtime(project) -> Runtime:
    def compute() -> Runtime:
        rt = Runtime()
        referenced: set[str] = set()
        _dockerfile_commands(project, rt, referenced)
        _compose_commands(project, rt, referenced)
        names = {PurePosixPath(r).name for r in referenced if r}
        for sf in project.files_of(FileKind.PYTHON):
            name = sf.path.rsplit("/", 1)[-1]
            if name in CONFIG_NAMES or name in names:
                project.read(sf)
                if sf.text is None:
                    continue
                from dockyard.parsers.gunicorn_file import parse_config_file  # lazy: ast, for a config file only

                cfg = parse_config_file(sf.text, sf.path)
                if cfg is not None:
                    rt.configs.append(cfg)
                    rt.uses_gunicorn = True
        return rt

    return project.memo("python.runtime", compute)
