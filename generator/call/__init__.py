"""Stage 4, the call: the log as read, appending to it, and the post-mortem's prefill."""
