"""The golive command line: the parser, one function per command, one error handler."""
