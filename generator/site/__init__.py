"""Stage 5, the site: views of the validated project, rendered Markdown, written to site_src/."""
