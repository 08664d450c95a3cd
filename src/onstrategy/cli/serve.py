"""`onstrategy serve`: the web dashboard and its JSON API (uvicorn)."""

from __future__ import annotations

import typer

from onstrategy.cli.common import console, get_ctx


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on"),
    port: int = typer.Option(8000, "--port", help="port to listen on"),
) -> None:
    """Run the web dashboard (sign in with a password set by `onstrategy users set-password`)."""
    import uvicorn

    from onstrategy.web import create_app

    settings = get_ctx(ctx).settings
    if not settings.secret_key:
        console.print(
            "[yellow]ONSTRATEGY_SECRET_KEY is not set: a random key is used, so "
            "everyone is signed out when the server restarts.[/]"
        )
    app = create_app(settings=settings)
    if host not in ("127.0.0.1", "localhost", "::1"):
        console.print("[yellow]Listening beyond this machine: put HTTPS in front of it.[/]")
    console.print(
        f"onstrategy on [bold]http://{host}:{port}/[/] (JSON API: /api/docs)", highlight=False
    )
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True)
