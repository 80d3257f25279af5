"""AWS's binary event-stream framing (``application/vnd.amazon.eventstream``), written from the spec.

Spec: https://docs.aws.amazon.com/transcribe/latest/dg/streaming-setting-up.html (event-stream
encoding, the same framing Bedrock's ConverseStream uses:
https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html).

One message is::

    total length (uint32 BE) | headers length (uint32 BE) | prelude CRC32 (of the 8 bytes before)
    headers: name length (uint8) | name | value type (uint8; 7 = string) | value length (uint16 BE) | value
    payload
    message CRC32 (of every byte before it)

Only string headers are written (Bedrock sends nothing else); ``decode`` reads every header type so a
recorded stream can be checked byte for byte (``encode(decode(x)) == x``).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

_STRING = 7
# value type -> fixed size in bytes (None: uint16 length-prefixed)
_SIZES = {0: 0, 1: 0, 2: 1, 3: 2, 4: 4, 5: 8, 6: None, 7: None, 8: 8, 9: 16}


@dataclass(frozen=True)
class Message:
    headers: tuple[tuple[str, object], ...]
    payload: bytes

    def header(self, name: str) -> object:
        return dict(self.headers).get(name)


def encode(headers: list[tuple[str, str]] | tuple[tuple[str, object], ...], payload: bytes) -> bytes:
    """One event-stream message with string headers, in the order given."""
    head = b""
    for name, value in headers:
        raw_name, raw_value = name.encode(), str(value).encode()
        head += struct.pack(">B", len(raw_name)) + raw_name + struct.pack(">BH", _STRING, len(raw_value)) + raw_value
    total = 12 + len(head) + len(payload) + 4
    prelude = struct.pack(">II", total, len(head))
    message = prelude + struct.pack(">I", zlib.crc32(prelude)) + head + payload
    return message + struct.pack(">I", zlib.crc32(message))


def event(event_type: str, payload: bytes) -> bytes:
    """A Bedrock stream event (``:message-type`` event), headers in the order Bedrock sends them."""
    return encode(
        [(":event-type", event_type), (":content-type", "application/json"), (":message-type", "event")], payload
    )


def exception(exception_type: str, payload: bytes) -> bytes:
    """A Bedrock in-stream exception (``:message-type`` exception)."""
    return encode(
        [(":exception-type", exception_type), (":content-type", "application/json"), (":message-type", "exception")],
        payload,
    )


def decode(data: bytes) -> list[Message]:
    """Every message in ``data``; raises ValueError on a bad length or CRC."""
    out: list[Message] = []
    at = 0
    while at < len(data):
        if len(data) - at < 16:
            raise ValueError(f"truncated message at byte {at}")
        total, head_len, prelude_crc = struct.unpack_from(">III", data, at)
        if zlib.crc32(data[at : at + 8]) != prelude_crc:
            raise ValueError(f"prelude CRC mismatch at byte {at}")
        end = at + total
        if end > len(data) or zlib.crc32(data[at : end - 4]) != struct.unpack_from(">I", data, end - 4)[0]:
            raise ValueError(f"message CRC mismatch at byte {at}")
        pos, head_end, headers = at + 12, at + 12 + head_len, []
        while pos < head_end:
            name_len = data[pos]
            name = data[pos + 1 : pos + 1 + name_len].decode()
            kind = data[pos + 1 + name_len]
            pos += 2 + name_len
            size = _SIZES[kind]
            if size is None:
                (size,) = struct.unpack_from(">H", data, pos)
                pos += 2
            raw = data[pos : pos + size]
            headers.append((name, raw.decode() if kind == _STRING else raw))
            pos += size
        out.append(Message(tuple(headers), data[head_end : end - 4]))
        at = end
    return out


def split(data: bytes) -> list[bytes]:
    """The raw bytes of each message, in order (a recorded stream replayed one message per chunk)."""
    out, at = [], 0
    while at < len(data):
        (total,) = struct.unpack_from(">I", data, at)
        out.append(data[at : at + total])
        at += total
    return out
