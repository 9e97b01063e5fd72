"""Where the tool keeps its files: the platform's folders, or one given folder.

platformdirs follows XDG_* on Linux (so tests move everything to a temporary
folder by setting them) and the native locations on macOS and Windows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from platformdirs import PlatformDirs

APP_NAME = "amazon-credits"


@dataclass(frozen=True)
class Paths:
    data_dir: Path
    config_dir: Path
    log_dir: Path
    cache_dir: Path

    @property
    def store_path(self) -> Path:
        return self.data_dir / "credits.sqlite3"

    @property
    def sessions_dir(self) -> Path:
        return self.data_dir / "sessions"

    @property
    def captures_dir(self) -> Path:
        return self.data_dir / "captures"

    @property
    def latest_dir(self) -> Path:
        return self.data_dir / "latest"

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def user_selectors_dir(self) -> Path:
        return self.config_dir / "selectors"


def resolve_paths(data_dir: Path | None = None) -> Paths:
    """The platform's folders; `data_dir` (from --data-dir) moves data, logs and cache under it."""
    dirs = PlatformDirs(APP_NAME, appauthor=False)
    if data_dir is not None:
        data_dir = data_dir.expanduser().resolve()
        return Paths(
            data_dir=data_dir,
            config_dir=Path(dirs.user_config_dir),
            log_dir=data_dir / "logs",
            cache_dir=data_dir / "cache",
        )
    return Paths(
        data_dir=Path(dirs.user_data_dir),
        config_dir=Path(dirs.user_config_dir),
        log_dir=Path(dirs.user_log_dir),
        cache_dir=Path(dirs.user_cache_dir),
    )
