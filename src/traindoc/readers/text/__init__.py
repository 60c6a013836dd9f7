"""The text-log engine: decoding, line templates, and the record parser behind ``text_log``.

Split in small modules so each job stays readable: ``decode`` turns bytes into clean lines
(UTF-16, NUL prefixes, ANSI colours, carriage-return redraws), ``template`` learns what each
number of a line shape means, ``tables`` reads header-plus-rows blocks, and ``parser`` turns
lines into ``(x, axis, {name: value})`` records.
"""
