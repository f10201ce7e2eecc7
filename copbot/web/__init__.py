"""The repository on the web: read-only pages, JSON API, feed and sitemap of the published entries."""
