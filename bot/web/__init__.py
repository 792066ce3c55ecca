"""The web page: a simulated group chat to try and demo the bot (local transport)."""
