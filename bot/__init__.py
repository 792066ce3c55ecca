"""Linli runtime: configuration, transports, dispatch, scheduling, web page and CLI."""
