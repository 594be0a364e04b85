"""Stage 6, MkDocs: the golive plugin, the HTML-block Markdown extension, build and serve."""
