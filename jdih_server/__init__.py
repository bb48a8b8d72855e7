"""The server: the one place where the API (search_api) and the web pages (frontend) are assembled into an app."""
