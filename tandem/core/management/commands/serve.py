"""`tandem serve`: run Tandem's web app and API with gunicorn, static files served by WhiteNoise."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):  # type: ignore[misc]
    """Gunicorn embedded in the command, configured from its options."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from tandem.wsgi import application

        return application


class Command(BaseCommand):
    help = "Serve Tandem over HTTP (gunicorn with threads; put a TLS proxy in front in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
        parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
        parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 < options["port"] < 65536:
            self.stderr.write("--port must be between 1 and 65535")
            raise SystemExit(2)
        self.stdout.write(
            f"Tandem is serving on http://{options['host']}:{options['port']}/ (Ctrl+C stops it)"
        )
        _Server(
            {
                "bind": f"{options['host']}:{options['port']}",
                "workers": options["workers"],
                "threads": options["threads"],
                "worker_class": "gthread",
                "accesslog": "-",
                "timeout": 60,
            }
        ).run()
