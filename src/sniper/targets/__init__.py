"""Sniper targets: endpoints, schemas, service, repository, matcher, lifecycle and the watcher."""
