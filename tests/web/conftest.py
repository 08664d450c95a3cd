"""Fixtures of the web tests (defined in conftest_web.py, importable by the tests)."""

from conftest_web import demo_web, quick_hashes, web  # noqa: F401 - fixtures
