"""Strip a video of its metadata by remuxing it, and take a poster frame (PyAV, issue 13 item 3).

An uploaded MP4 / MOV / WebM may carry the place it was shot (QuickTime
``com.apple.quicktime.location.ISO6709``, MP4 ``©xyz``, Matroska ``LOCATION``), the camera
make and model, comments, handler names and whole GPS telemetry tracks. :func:`video_remux`
writes a new file of the same container holding only the first video stream and the first
audio stream, their packets copied as they are (no re-encoding: picture and sound are
untouched), with no container, stream or chapter metadata. Data, subtitle and attachment
streams are dropped. The display matrix (rotation) is part of the codec parameters and stays.

PyAV ships FFmpeg in its wheel, so nothing needs installing on the machine. FFmpeg reports
errors as ``av.error.FFmpegError``, a subclass of ``OSError``; a full disk keeps its errno
(``ENOSPC``) so callers can tell it from a broken file.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import IO, Any

import av
from PIL import Image

from miel.media import is_disk_full

logger = logging.getLogger(__name__)

# Our extension -> FFmpeg muxer name.
MUXERS = {"mp4": "mp4", "mov": "mov", "webm": "webm"}
# The poster is taken this far into the clip (or at its start when shorter): the very first
# frame is often black.
POSTER_AT_SECONDS = 1.0
POSTER_MAX_SIDE = 1280
POSTER_JPEG_QUALITY = 82


class RemuxFailed(Exception):
    """The file could not be remuxed (not decodable by FFmpeg, or a codec its container's muxer
    refuses). Never raised for a full disk: that ``OSError`` propagates unchanged."""


@dataclass(frozen=True)
class StreamSummary:
    """What a video file holds, read by FFmpeg: stream kinds with codec names, and length."""

    video_codecs: tuple[str, ...]
    audio_codecs: tuple[str, ...]
    other_streams: int
    duration_seconds: float


def video_streams(source: str | IO[bytes]) -> StreamSummary:
    """Read the streams and duration (seconds) of ``source`` (a path or a seekable file).

    Raises :class:`RemuxFailed` when FFmpeg cannot open it.
    """
    try:
        with av.open(source, "r") as container:
            videos = tuple(s.codec_context.name for s in container.streams.video)
            audios = tuple(s.codec_context.name for s in container.streams.audio)
            others = len(container.streams) - len(videos) - len(audios)
            duration = (container.duration or 0) / av.time_base
            if duration <= 0 and container.streams.video:
                stream = container.streams.video[0]
                if stream.duration and stream.time_base:
                    duration = float(stream.duration * stream.time_base)
    except av.error.FFmpegError as exc:
        if is_disk_full(exc):
            raise
        raise RemuxFailed(str(exc)) from exc
    return StreamSummary(
        video_codecs=videos,
        audio_codecs=audios,
        other_streams=others,
        duration_seconds=duration,
    )


def video_remux(*, source: str | IO[bytes], destination: str, extension: str) -> StreamSummary:
    """Copy the first video and first audio stream of ``source`` into a new ``extension``
    container at the path ``destination``, without any metadata (see the module docstring).

    ``extension``: ``mp4``, ``mov`` or ``webm`` (the container the upload was found to be).
    MP4 / MOV get ``+faststart`` (the index first, so playback starts before the download
    ends). Returns what was kept. Raises :class:`RemuxFailed` for a file FFmpeg cannot read or
    write in that container; an ``OSError`` with ``ENOSPC`` when the disk is full.
    """
    muxer = MUXERS[extension]
    options = {"movflags": "+faststart"} if muxer in ("mp4", "mov") else {}
    try:
        with av.open(source, "r") as inp:
            video = inp.streams.video[0] if inp.streams.video else None
            if video is None:
                raise RemuxFailed("no video stream")
            audio = inp.streams.audio[0] if inp.streams.audio else None
            kept = [s for s in (video, audio) if s is not None]
            _copy_streams(inp, kept, destination=destination, muxer=muxer, options=options)
    except av.error.FFmpegError as exc:
        if is_disk_full(exc):
            raise
        raise RemuxFailed(str(exc)) from exc
    return video_streams(destination)


def _copy_streams(
    inp: Any, kept: list[Any], *, destination: str, muxer: str, options: dict[str, str]
) -> None:
    """Write the packets of ``kept`` (streams of the open container ``inp``) unchanged into a
    new ``muxer`` container at ``destination``, with no container or stream metadata. FFmpeg
    errors propagate (callers turn them into :class:`RemuxFailed`)."""
    with av.open(destination, "w", format=muxer, options=options) as out:
        mapping = {}
        for stream in kept:
            copy = out.add_stream_from_template(stream)
            copy.metadata.clear()  # the template copies codec parameters only, but be sure
            mapping[stream.index] = copy
        out.metadata.clear()
        for packet in inp.demux(kept):
            if packet.dts is None:  # the demuxer's flush packet
                continue
            packet.stream = mapping[packet.stream.index]
            out.mux(packet)


# --- voice prompts (issue 18): the same stream copy for audio-only files ----------------------

#: Audio extension -> (FFmpeg muxer, muxer options). ``bitexact`` keeps the muxer from writing
#: its own "encoder" tag; the mp3 muxer writes no ID3 tag at all.
AUDIO_MUXERS: dict[str, tuple[str, dict[str, str]]] = {
    "mp3": ("mp3", {"id3v2_version": "0", "write_id3v1": "0", "fflags": "+bitexact"}),
    "m4a": ("ipod", {"movflags": "+faststart", "fflags": "+bitexact"}),
    "ogg": ("ogg", {"fflags": "+bitexact"}),
    "webm": ("webm", {"fflags": "+bitexact"}),
    "wav": ("wav", {"fflags": "+bitexact"}),
}
#: FFmpeg demuxer name (as PyAV reports it) -> our extension.
AUDIO_DEMUXERS = {
    "mp3": "mp3",
    "mov,mp4,m4a,3gp,3g2,mj2": "m4a",
    "ogg": "ogg",
    "matroska,webm": "webm",
    "wav": "wav",
}


@dataclass(frozen=True)
class AudioSummary:
    """An audio file as decoded by FFmpeg: our extension, the codec and the decoded length."""

    extension: str
    codec: str
    duration_seconds: float


def audio_decode(source: str | IO[bytes], *, max_seconds: float) -> AudioSummary:
    """Open ``source`` (a path or a seekable file) and decode its first audio stream, stopping
    once more than ``max_seconds`` were decoded. The length comes from the decoded samples,
    never from the header alone. Raises :class:`RemuxFailed` when FFmpeg cannot read it, it is
    not one of :data:`AUDIO_DEMUXERS`, holds a video (a cover picture is fine) or has no
    decodable sound; ``OSError`` (ENOSPC) on a
    full disk."""
    try:
        with av.open(source, "r") as container:
            extension = AUDIO_DEMUXERS.get(container.format.name)
            if extension is None or not container.streams.audio:
                raise RemuxFailed(f"not an accepted audio file: {container.format.name}")
            # A cover picture (mp3, m4a) is fine (it is dropped); a moving picture is a video.
            if any(
                not (s.disposition & av.stream.Disposition.attached_pic)
                for s in container.streams.video
            ):
                raise RemuxFailed("a video, not a recording")
            stream = container.streams.audio[0]
            seconds = 0.0
            for frame in container.decode(stream):
                seconds += frame.samples / (frame.sample_rate or stream.rate or 1)
                if seconds > max_seconds:
                    break
            codec = stream.codec_context.name
    except av.error.FFmpegError as exc:
        if is_disk_full(exc):
            raise
        raise RemuxFailed(str(exc)) from exc
    if seconds <= 0:
        raise RemuxFailed("no decodable sound")
    return AudioSummary(extension=extension, codec=codec, duration_seconds=seconds)


def audio_remux(*, source: str | IO[bytes], destination: str, extension: str) -> None:
    """Copy the first audio stream of ``source`` into a new ``extension`` container (a key of
    :data:`AUDIO_MUXERS`) at ``destination``, without any metadata: no ID3 / Vorbis comment /
    iTunes / INFO tags, no cover picture, nothing but the sound. Raises :class:`RemuxFailed`
    when FFmpeg cannot read or write it; ``OSError`` (ENOSPC) on a full disk."""
    muxer, options = AUDIO_MUXERS[extension]
    try:
        with av.open(source, "r") as inp:
            if not inp.streams.audio:
                raise RemuxFailed("no audio stream")
            _copy_streams(
                inp,
                [inp.streams.audio[0]],
                destination=destination,
                muxer=muxer,
                options=dict(options),
            )
    except av.error.FFmpegError as exc:
        if is_disk_full(exc):
            raise
        raise RemuxFailed(str(exc)) from exc


def video_poster(source: str) -> bytes | None:
    """A JPEG of the frame ``POSTER_AT_SECONDS`` into the video at path ``source`` (or its last
    frame before that), upright per the display matrix, at most ``POSTER_MAX_SIDE`` pixels on
    the long side. ``None`` when no frame can be decoded (the video is stored all the same).
    """
    try:
        with av.open(source, "r") as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            chosen = None
            for frame in container.decode(stream):
                chosen = frame
                if frame.time is not None and frame.time >= POSTER_AT_SECONDS:
                    break
            if chosen is None:
                return None
            image = chosen.to_image()
            rotation = getattr(chosen, "rotation", 0) or 0
    except (av.error.FFmpegError, IndexError, ValueError) as exc:
        if is_disk_full(exc):
            raise
        logger.warning("no poster frame for %s: %s", source, exc)
        return None
    if rotation % 360:
        image = image.rotate(rotation, expand=True)  # counter-clockwise, as the matrix says
    image = image.convert("RGB")
    image.thumbnail((POSTER_MAX_SIDE, POSTER_MAX_SIDE))
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=POSTER_JPEG_QUALITY, optimize=True)
    return out.getvalue()
