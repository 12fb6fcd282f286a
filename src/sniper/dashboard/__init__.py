"""Server-rendered dashboard pages on the services the API uses, and the offline docs."""
