"""Linli's capabilities. One module per capability; none imports a transport or aiohttp."""
