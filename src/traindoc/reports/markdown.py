"""A small, safe Markdown subset for the rule pages shown inside the HTML report.

Rule pages are plain prose with headings, lists, code and the odd table. Everything is
HTML-escaped first and only then given markup, so no text in a page can inject HTML.
Links keep their text and show the address as text: the report never points the browser
anywhere.
"""

from __future__ import annotations

import re
from html import escape

_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])[*_](?![\s*_])(.+?)(?<![\s*_])[*_](?![\w*])")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_ORDERED = re.compile(r"^\s*\d+[.)]\s+")
_BULLET = re.compile(r"^\s*[-*+]\s+")


def inline(text: str) -> str:
    """Escape, then mark up code spans, bold, italic and links (as text)."""
    parts = _CODE.split(text)
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(f"<code>{escape(part)}</code>")
            continue
        s = escape(part, quote=False)
        s = _LINK.sub(lambda m: f'{m.group(1)} <span class="md-url">({m.group(2)})</span>', s)
        s = _BOLD.sub(r"<strong>\1</strong>", s)
        s = _ITALIC.sub(r"<em>\1</em>", s)
        out.append(s)
    return "".join(out)


def _table(rows: list[str]) -> str:
    cells = [[c.strip() for c in r.strip().strip("|").split("|")] for r in rows]
    body = [c for c in cells if not all(re.fullmatch(r":?-{2,}:?", x or "--") for x in c)]
    if not body:
        return ""
    head, rest = body[0], body[1:]
    th = "".join(f"<th>{inline(c)}</th>" for c in head)
    trs = "".join("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in r) + "</tr>" for r in rest)
    return f"<table class=\"md-table\"><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>"


def render(markdown: str, heading_offset: int = 2) -> str:
    """Markdown text to HTML; headings shift down by ``heading_offset`` to nest in the page."""
    lines = markdown.replace("\r\n", "\n").split("\n")
    html: list[str] = []
    para: list[str] = []
    i = 0

    def flush() -> None:
        if para:
            html.append(f"<p>{inline(' '.join(para))}</p>")
            para.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("```"):
            flush()
            code = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                code.append(lines[i])
                i += 1
            html.append(f"<pre><code>{escape(chr(10).join(code))}</code></pre>")
            i += 1
            continue
        if not stripped:
            flush()
            i += 1
            continue
        heading = re.match(r"^(#{1,6})\s+(.*)$", stripped)
        if heading:
            flush()
            level = min(6, len(heading.group(1)) + heading_offset)
            html.append(f"<h{level}>{inline(heading.group(2).rstrip('#').strip())}</h{level}>")
            i += 1
            continue
        if stripped.startswith("|"):
            flush()
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(lines[i])
                i += 1
            html.append(_table(rows))
            continue
        if _BULLET.match(line) or _ORDERED.match(line):
            flush()
            ordered = bool(_ORDERED.match(line))
            pattern = _ORDERED if ordered else _BULLET
            items: list[str] = []
            while i < len(lines) and lines[i].strip():
                if pattern.match(lines[i]):
                    items.append(pattern.sub("", lines[i], count=1).strip())
                elif items and lines[i].startswith((" ", "\t")):
                    items[-1] += " " + lines[i].strip()
                else:
                    break
                i += 1
            tag = "ol" if ordered else "ul"
            html.append(f"<{tag}>" + "".join(f"<li>{inline(it)}</li>" for it in items) + f"</{tag}>")
            continue
        if stripped.startswith(">"):
            flush()
            quote = []
            while i < len(lines) and lines[i].strip().startswith(">"):
                quote.append(lines[i].strip()[1:].strip())
                i += 1
            html.append(f"<blockquote>{inline(' '.join(quote))}</blockquote>")
            continue
        para.append(stripped)
        i += 1
    flush()
    return "\n".join(html)
