"""The espeak-ng worker process: the only place the speech library runs.

Why a separate process that forks once per phrase: espeak-ng keeps state between phrases in function
statics that nothing resets (the pitch "flutter" position, the glottal cycle counters), so in one
long-lived process the same phrase comes out slightly different every time. A child forked from a
freshly initialized library always starts from the same state, so a phrase is the same samples on
every call and every run, as with the ``espeak-ng`` command. The fork costs about a millisecond; the
parent never synthesizes, and being single-threaded it forks safely.

Run as a script (not ``-m``) so it imports nothing but the standard library and espeakng-loader.
Protocol on stdin/stdout: one JSON request per line; each answer is one JSON line, followed for
``synth`` by exactly ``bytes`` bytes of 16-bit little-endian PCM.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
from typing import Any, BinaryIO

AUDIO_OUTPUT_SYNCHRONOUS = 2
POS_CHARACTER = 1
CHARS_UTF8 = 1
PARAM_RATE, PARAM_PITCH, PARAM_RANGE = 1, 3, 4

SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class Voice(ctypes.Structure):
    _fields_ = (
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_void_p),  # a packed list, read by hand
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    )


def load() -> tuple[Any, str, str]:
    import espeakng_loader

    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    data_path = espeakng_loader.get_data_path()
    lib.espeak_Initialize.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int)
    lib.espeak_SetVoiceByName.argtypes = (ctypes.c_char_p,)
    lib.espeak_SetParameter.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_int)
    lib.espeak_Synth.argtypes = (
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.c_uint,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.c_uint,
        ctypes.c_void_p,
        ctypes.c_void_p,
    )
    lib.espeak_ListVoices.argtypes = (ctypes.c_void_p,)
    lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(Voice))
    lib.espeak_Info.argtypes = (ctypes.c_void_p,)
    lib.espeak_Info.restype = ctypes.c_char_p
    lib.espeak_ng_SetRandSeed.argtypes = (ctypes.c_long,)
    rate = lib.espeak_Initialize(
        AUDIO_OUTPUT_SYNCHRONOUS, 0, os.path.dirname(data_path).encode(), 0
    )
    if rate != 22050:
        raise RuntimeError(f"espeak-ng did not start (returned {rate}) with data in {data_path}")
    return lib, (lib.espeak_Info(None) or b"?").decode(), data_path


class Voices:
    """The voice loaded in the parent, so children inherit it instead of loading it per phrase."""

    def __init__(self, lib: Any) -> None:
        self.lib = lib
        self.current: str | None = None

    def select(self, voice: str) -> int:
        if voice == self.current:
            return 0
        status = int(self.lib.espeak_SetVoiceByName(voice.encode()))
        self.current = voice if status == 0 else None
        return status


def set_parameters(lib: Any, rate: int, pitch: int, pitch_range: int) -> None:
    # Choosing a voice resets the parameters to its defaults, so they are set after it.
    lib.espeak_SetParameter(PARAM_RATE, rate, 0)
    lib.espeak_SetParameter(PARAM_PITCH, pitch, 0)
    lib.espeak_SetParameter(PARAM_RANGE, pitch_range, 0)


def languages(lib: Any) -> list[str]:
    found: list[str] = []
    table = lib.espeak_ListVoices(None)
    i = 0
    while table[i]:
        raw = ctypes.string_at(table[i].contents.languages, 256)
        pos = 0  # entries of (priority byte, name, NUL), ended by an empty entry
        while pos < len(raw) and raw[pos] != 0:
            end = raw.index(b"\0", pos + 1)
            found.append(raw[pos + 1 : end].decode())
            pos = end + 1
        i += 1
    return found


def synth_in_child(lib: Any, request: dict[str, Any]) -> bytes:
    """Synthesize in a forked child and return its PCM (or raise with the child's error)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: synthesize from the pristine state, send, and vanish
        os.close(read_fd)
        chunks: list[bytes] = []

        def collect(wav: Any, count: int, _events: Any) -> int:
            if count > 0:
                chunks.append(ctypes.string_at(wav, count * 2))
            return 0

        callback = SynthCallback(collect)
        lib.espeak_SetSynthCallback(callback)
        lib.espeak_ng_SetRandSeed(1)
        ctypes.CDLL(None).srand(1)
        set_parameters(lib, request["rate"], request["pitch"], request["range"])
        data = request["text"].encode("utf-8") + b"\0"
        status = lib.espeak_Synth(data, len(data), 0, POS_CHARACTER, 0, CHARS_UTF8, None, None)
        lib.espeak_Synchronize()
        code = 0 if status == 0 else 4
        with os.fdopen(write_fd, "wb") as out:
            if code == 0:
                out.write(b"".join(chunks))
        os._exit(code)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        pcm = pipe.read()
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"espeak-ng failed on {request['text']!r} (exit {code})")
    return pcm


def answer(out: BinaryIO, head: dict[str, Any], payload: bytes = b"") -> None:
    out.write(json.dumps(head).encode() + b"\n" + payload)
    out.flush()


def main() -> None:
    out = sys.stdout.buffer
    try:
        lib, version, data_path = load()
    except Exception as exc:
        answer(out, {"ok": False, "error": f"the espeak-ng speech library cannot start: {exc}"})
        return
    answer(out, {"ok": True, "version": version, "data_path": data_path})
    voices = Voices(lib)
    for line in sys.stdin.buffer:
        request = json.loads(line)
        try:
            if request["op"] == "synth":
                if voices.select(request["voice"]) != 0:
                    raise RuntimeError(f"unknown voice {request['voice']!r}")
                pcm = synth_in_child(lib, request)
                answer(out, {"ok": True, "bytes": len(pcm)}, pcm)
            elif request["op"] == "languages":
                answer(out, {"ok": True, "languages": languages(lib)})
            elif request["op"] == "check":
                answer(out, {"ok": True, "status": voices.select(request["voice"])})
            else:
                answer(out, {"ok": False, "error": f"unknown request {request['op']!r}"})
        except Exception as exc:
            answer(out, {"ok": False, "error": str(exc)})


if __name__ == "__main__":
    main()
