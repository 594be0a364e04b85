"""Markdown to HTML through cmark-gfm, freeing what cmark allocates.

cmarkgfm's `markdown_to_html_with_extensions` frees neither the document it parses nor the
HTML it renders (its bindings expose no way to): a whole site's Markdown fields, kept in C
memory that Python never sees, were a third of `golive build`'s peak on a thousand plans.
Here both are freed, through the functions the same loaded library exports.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Sequence
from typing import Any

from cmarkgfm import _cmark, cmark


def _native_free() -> tuple[Any, Any] | None:
    """cmark_node_free and the C library's free, or None where they cannot be found (no leak fix)."""
    try:
        library = ctypes.CDLL(_cmark.__file__)  # the module's own library, already loaded: the same one
        node_free, free = library.cmark_node_free, ctypes.CDLL(None).free
    except (OSError, AttributeError):
        return None
    node_free.argtypes, node_free.restype = [ctypes.c_void_p], None
    free.argtypes, free.restype = [ctypes.c_void_p], None
    return node_free, free


_FREE = _native_free()


def _address(pointer: Any) -> int:
    return int(_cmark.ffi.cast("uintptr_t", pointer))


@functools.cache  # the extensions registered in the C library: the same for the whole process
def _syntax_extensions(names: tuple[str, ...]) -> tuple[Any, ...]:
    cmark.core_extensions_ensure_registered()
    found = tuple(cmark.find_syntax_extension(name) for name in names)
    if any(extension is None for extension in found):
        raise ValueError(f"unknown cmark extension among {list(names)}")
    return found


def markdown_to_html(text: str, options: int, extensions: Sequence[str]) -> str:
    """What cmarkgfm.markdown_to_html_with_extensions returns, without keeping the parse and the HTML in memory."""
    if _FREE is None:
        return cmark.markdown_to_html_with_extensions(text, options=options, extensions=list(extensions))
    node_free, free = _FREE
    lib, ffi = _cmark.lib, _cmark.ffi
    found = _syntax_extensions(tuple(extensions))
    parser = cmark.parser_new(options=options)
    root = None
    try:
        for extension in found:
            cmark.parser_attach_syntax_extension(parser, extension)
        cmark.parser_feed(parser, text)
        root = cmark.parser_finish(parser)
        rendered = lib.cmark_render_html(root, options, lib.cmark_parser_get_syntax_extensions(parser))
        try:
            return str(ffi.string(rendered).decode("utf-8"))
        finally:
            free(_address(rendered))
    finally:
        cmark.parser_free(parser)
        if root is not None:
            node_free(_address(root))  # after the parser, as cmark-gfm's own command line does
