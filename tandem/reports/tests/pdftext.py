"""Enough of a PDF text extractor to read back what WeasyPrint wrote (tests only, no dependency).

WeasyPrint writes each text run as glyph ids (``[<002b>0<0048>] TJ``) in a font named like the
subset's prefix, and gives each font a ToUnicode CMap; objects may sit in compressed object streams.
"""

from __future__ import annotations

import re
import zlib

_STREAM = re.compile(rb"(\d+) 0 obj\s*<<(.*?)>>\s*stream\r?\n", re.S)
_PLAIN = re.compile(rb"(\d+) 0 obj\s*(<<.*?>>)\s*endobj", re.S)


def _objects(pdf: bytes) -> tuple[dict[int, bytes], list[bytes]]:
    """Decompressed streams by object number, and the text of every dictionary object."""
    streams: dict[int, bytes] = {}
    dicts: list[bytes] = [m.group(2) for m in _PLAIN.finditer(pdf)]
    for match in _STREAM.finditer(pdf):
        header = match.group(2)
        length = int(re.search(rb"/Length (\d+)", header).group(1))  # type: ignore[union-attr]
        data = pdf[match.end() : match.end() + length]
        if b"/FlateDecode" in header:
            data = zlib.decompress(data)
        number = int(match.group(1))
        streams[number] = data
        if b"/ObjStm" in header:
            first = int(re.search(rb"/First (\d+)", header).group(1))  # type: ignore[union-attr]
            numbers = [int(x) for x in data[:first].split()]
            offsets = [*numbers[1::2], len(data) - first]
            for i in range(len(offsets) - 1):
                dicts.append(data[first + offsets[i] : first + offsets[i + 1]])
        dicts.append(header)
    return streams, dicts


def _cmap(data: bytes) -> dict[str, str]:
    table: dict[str, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            table[src.decode().lower()] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for start, end, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            width = len(start)
            base = int(dst, 16)
            for offset, code in enumerate(range(int(start, 16), int(end, 16) + 1)):
                table[f"{code:0{width}x}"] = chr(base + offset)
    return table


def pdf_text(pdf: bytes) -> str:
    """The text of every page, one line per text object."""
    streams, dicts = _objects(pdf)
    fonts: dict[str, dict[str, str]] = {}
    for text in dicts:
        base = re.search(rb"/BaseFont /([A-Z]+)\+", text)
        unicode = re.search(rb"/ToUnicode (\d+) 0 R", text)
        if base and unicode and int(unicode.group(1)) in streams:
            fonts[base.group(1).decode()] = _cmap(streams[int(unicode.group(1))])
    lines: list[str] = []
    for data in streams.values():
        if b" Tf" not in data or (b"TJ" not in data and b"Tj" not in data):
            continue
        font: dict[str, str] = {}
        for block in re.findall(rb"BT(.*?)ET", data, re.S):
            line = []
            for match in re.finditer(rb"/(\S+) [\d.]+ Tf|\[(.*?)\]\s*TJ|<([0-9a-fA-F]+)>\s*Tj", block, re.S):
                if match.group(1):
                    font = fonts.get(match.group(1).decode(), {})
                    continue
                raw = match.group(2) or match.group(3)
                for hexes in re.findall(rb"<([0-9a-fA-F]+)>", raw) if match.group(2) else [raw]:
                    code = hexes.decode().lower()
                    line += [font.get(code[i : i + 4], "") for i in range(0, len(code), 4)]
            lines.append("".join(line))
    return "\n".join(lines)
