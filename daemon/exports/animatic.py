"""The animatic: an MP4 cut together by ffmpeg from the approved stills and videos, one shot
after another for each shot's `duration`, with the approved audio of a scene or shot laid
under it. A shot with no approved picture is held as a dark frame, so the timing holds.

A film is cut in parts of CLIPS_PER_PART shots, each encoded on its own (its pictures, and
the sounds that fall in its span, with PCM audio), then the parts are joined without
re-encoding the picture and the sound is encoded once. One ffmpeg run over every shot at once
held a frame buffer per shot and a file per picture: 8,000 shots took 23 GB of memory and
failed, and a few hundred stills pass macOS's default limit of open files."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import UserError
from .film import DEFAULT_SHOT_SECONDS, Film, seconds

ANIMATIC_NAME = "animatic.mp4"
WIDTH, HEIGHT, FPS = 1280, 720, 24
AUDIO_RATE = 48000
CLIPS_PER_PART = 20  # 550 MB of ffmpeg at most; 40 took 900 MB for no gain in time (measured)
PLACEHOLDER_COLOR = "0x202020"
# Byte-identical output for identical input: no encoder version, no creation time.
BITEXACT = ["-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact", "-map_metadata", "-1"]

Progress = Callable[[float, float], None]


class EncodingCancelled(Exception):
    """The `cancel` event was set while ffmpeg encoded: it was stopped, nothing was written."""


@dataclass
class Clip:
    """One shot on the timeline: its picture (a file, or None for a dark frame) and its span."""

    shot_id: str
    picture: Path | None
    is_video: bool
    start: float
    duration: float


@dataclass
class Sound:
    path: Path
    start: float
    duration: float  # the span of the scene or shot it is laid under
    offset: float = 0.0  # where in the file to start: a sound cut at the start of a part


@dataclass
class Timeline:
    clips: list[Clip] = field(default_factory=list)
    sounds: list[Sound] = field(default_factory=list)

    @property
    def duration(self) -> float:
        return sum(clip.duration for clip in self.clips)


def on_frames(duration: float) -> float:
    """A shot's length to the nearest whole frame (one at least): a picture can only change on
    a frame, so sound timed to the exact length would drift from it shot after shot."""
    return max(1, round(duration * FPS)) / FPS


def timeline(film: Film) -> Timeline:
    plan = Timeline()
    for scene in [*film.scenes, None]:
        scene_start = plan.duration
        for shot in film.shots(scene):
            length = on_frames(seconds(shot) or DEFAULT_SHOT_SECONDS)
            videos = [a for a in film.assets(shot, "video", approved_only=True) if a.path]
            stills = [a for a in film.assets(shot, "still", approved_only=True) if a.path]
            picture = videos[0].path if videos else (stills[0].path if stills else None)
            plan.clips.append(Clip(shot.id, picture, bool(videos), plan.duration, length))
            plan.sounds += [Sound(a.path, plan.clips[-1].start, length)
                            for a in film.assets(shot, "audio", approved_only=True) if a.path]
        scene_length = plan.duration - scene_start
        if scene is not None and scene_length > 0:
            plan.sounds += [Sound(a.path, scene_start, scene_length)
                            for a in film.assets(scene, "audio", approved_only=True) if a.path]
    plan.sounds.sort(key=lambda s: (s.start, s.path.name))
    return plan


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def ffmpeg_inputs_and_graph(plan: Timeline) -> tuple[list[str], str]:
    """The input options (one input per shot, then silence, then each sound) and the filter
    graph that fits, times and joins the pictures and mixes the sounds over the silence."""
    inputs: list[str] = []
    filters: list[str] = []
    fit = (f"scale={WIDTH}:{HEIGHT}:force_original_aspect_ratio=decrease,"
           f"pad={WIDTH}:{HEIGHT}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,fps={FPS},format=yuv420p")
    for n, clip in enumerate(plan.clips):
        length = _seconds(clip.duration)
        if clip.picture is None:
            inputs += ["-f", "lavfi", "-t", length, "-i", f"color=c={PLACEHOLDER_COLOR}:s={WIDTH}x{HEIGHT}:r={FPS}"]
        elif clip.is_video:
            inputs += ["-t", length, "-i", str(clip.picture)]
        else:
            inputs += ["-loop", "1", "-framerate", str(FPS), "-t", length, "-i", str(clip.picture)]
        # A video shorter than its shot holds its last frame.
        filters.append(f"[{n}:v]{fit},tpad=stop_mode=clone:stop_duration={length},"
                       f"trim=duration={length},setpts=PTS-STARTPTS[v{n}]")
    filters.append("".join(f"[v{n}]" for n in range(len(plan.clips))) + f"concat=n={len(plan.clips)}:v=1:a=0[video]")
    silence = len(plan.clips)
    total = _seconds(plan.duration)
    inputs += ["-f", "lavfi", "-t", total, "-i", f"anullsrc=r={AUDIO_RATE}:cl=stereo"]
    mix = [f"[{silence}:a]"]
    for k, sound in enumerate(plan.sounds):
        inputs += [*(["-ss", _seconds(sound.offset)] if sound.offset else []), "-i", str(sound.path)]
        delay = round(sound.start * 1000)
        filters.append(f"[{silence + 1 + k}:a]aresample={AUDIO_RATE},aformat=channel_layouts=stereo,"
                       f"atrim=duration={_seconds(sound.duration)},adelay={delay}|{delay}[s{k}]")
        mix.append(f"[s{k}]")
    filters.append("".join(mix) + f"amix=inputs={len(mix)}:duration=first:normalize=0[audio]")
    return inputs, ";\n".join(filters)


def parts(plan: Timeline, size: int | None = None) -> list[Timeline]:
    """The timeline cut every `size` shots (CLIPS_PER_PART), each part timed from its own
    start, with the part of every sound that falls in its span."""
    size = size or CLIPS_PER_PART
    cut = []
    for first in range(0, len(plan.clips), size):
        clips = plan.clips[first : first + size]
        begin = clips[0].start
        end = begin + sum(clip.duration for clip in clips)
        part = Timeline([Clip(c.shot_id, c.picture, c.is_video, c.start - begin, c.duration) for c in clips])
        for sound in plan.sounds:
            start, stop = max(sound.start, begin), min(sound.start + sound.duration, end)
            if stop > start:
                part.sounds.append(Sound(sound.path, start - begin, stop - start, sound.offset + start - sound.start))
        cut.append(part)
    return cut


def part_command(ffmpeg: str, inputs: list[str], graph_file: Path, duration: float, video: Path, audio: Path) -> list[str]:
    """One part: its picture in H.264 (Matroska) and its sound as PCM (WAV), so that joining
    the parts re-encodes nothing but the sound, once. The graph goes in a file: it can be over
    the size of one command-line argument. -xerror stops at the first broken frame instead of
    looping over an unreadable still; a fixed thread count keeps x264's output the same on
    machines with more or fewer cores."""
    length = _seconds(duration)
    return [ffmpeg, "-nostdin", "-y", "-loglevel", "error", "-xerror", "-progress", "pipe:1", *inputs,
            "-filter_complex_script", str(graph_file),
            "-map", "[video]", "-c:v", "libx264", "-preset", "veryfast", "-crf", "26", "-pix_fmt", "yuv420p",
            "-r", str(FPS), "-threads", "2", "-t", length, *BITEXACT, str(video),
            "-map", "[audio]", "-c:a", "pcm_s16le", "-t", length, *BITEXACT, str(audio)]


def join_command(ffmpeg: str, videos: Path, audios: Path, duration: float, output: Path) -> list[str]:
    return [ffmpeg, "-nostdin", "-y", "-loglevel", "error", "-f", "concat", "-safe", "0", "-i", str(videos),
            "-f", "concat", "-safe", "0", "-i", str(audios), "-map", "0:v", "-map", "1:a", "-c:v", "copy",
            "-c:a", "aac", "-b:a", "128k", "-t", _seconds(duration), "-movflags", "+faststart", *BITEXACT, str(output)]


def ffmpeg_path() -> str:
    found = shutil.which("ffmpeg")
    if found is None:
        raise UserError("animatic: ffmpeg is not installed or not on PATH: install it "
                        "(apt install ffmpeg, brew install ffmpeg) and run the export again")
    return found


def check_media(plan: Timeline, ffmpeg: str) -> None:
    """Decode the start of every picture and sound of a part that failed, so that a bad file
    is named in the message rather than ffmpeg's last words."""
    wanted = [(clip.picture, "v", clip.shot_id) for clip in plan.clips if clip.picture]
    wanted += [(sound.path, "a", "") for sound in plan.sounds]
    for path, kind, owner in wanted:
        limit = ["-frames:v", "1"] if kind == "v" else ["-t", "0.1"]
        decoded = subprocess.run([ffmpeg, "-nostdin", "-v", "error", "-xerror", "-i", str(path), "-map", f"0:{kind}:0",
                                  *limit, "-f", "null", "-"], capture_output=True)
        if decoded.returncode != 0:
            what = "an image or video" if kind == "v" else "a sound"
            used = f" (approved for {owner})" if owner else ""
            raise UserError(f"animatic: assets/{path.name}{used} is not {what} ffmpeg can read: "
                            "replace the file or unapprove it in the block's `assets`")


def render(plan: Timeline, progress: Progress | None = None, cancel: threading.Event | None = None) -> bytes:
    ffmpeg = ffmpeg_path()
    with tempfile.TemporaryDirectory(prefix="cinefile-animatic-") as folder:
        folder = Path(folder)
        videos, audios = [], []
        done = 0.0
        for n, part in enumerate(parts(plan)):
            if cancel is not None and cancel.is_set():
                raise EncodingCancelled()
            video, audio, graph_file = (folder / f"part-{n:05d}.mkv", folder / f"part-{n:05d}.wav",
                                        folder / f"part-{n:05d}.txt")
            inputs, graph = ffmpeg_inputs_and_graph(part)
            graph_file.write_text(graph, encoding="utf-8")
            report = (lambda at, total, done=done: progress(min(done + at, plan.duration), plan.duration)) if progress else None
            failure = _run(part_command(ffmpeg, inputs, graph_file, part.duration, video, audio), folder, report, cancel)
            if failure is not None:
                check_media(part, ffmpeg)
                raise UserError(f"animatic: ffmpeg failed ({failure}): check that the approved assets "
                                "in assets/ are readable images, videos and sounds")
            videos.append(video)
            audios.append(audio)
            done += part.duration
        output = folder / ANIMATIC_NAME
        lists = [folder / "videos.txt", folder / "audios.txt"]
        for listing, files in zip(lists, (videos, audios)):
            listing.write_text("".join(f"file '{f.name}'\n" for f in files), encoding="utf-8")
        failure = _run(join_command(ffmpeg, *lists, plan.duration, output), folder, None, cancel)
        if failure is not None:
            raise UserError(f"animatic: ffmpeg failed joining the parts ({failure}): "
                            f"check the free space in {tempfile.gettempdir()}")
        return output.read_bytes()


def _run(command: list[str], folder: Path, progress: Progress | None,
         cancel: threading.Event | None = None) -> str | None:
    """Run ffmpeg, passing on its `-progress` reports; its last error line when it fails.
    A set `cancel` stops it at its next report (twice a second)."""
    with open(folder / "ffmpeg.log", "w+", encoding="utf-8") as log:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True, cwd=folder)
        assert process.stdout is not None
        for line in process.stdout:  # `-progress` reports key=value lines as it encodes
            if cancel is not None and cancel.is_set():
                process.kill()
                process.wait()
                raise EncodingCancelled()
            key, _, value = line.strip().partition("=")
            if progress and key == "out_time_us" and value.isdigit():
                progress(int(value) / 1e6, 0.0)
        status = process.wait()
        log.seek(0)
        errors = log.read()
    if status == 0:
        return None
    return next((line.strip() for line in reversed(errors.strip().splitlines()) if line.strip()), "no message")


def export_animatic(film: Film, progress: Progress | None = None,
                    cancel: threading.Event | None = None) -> dict[str, bytes]:
    plan = timeline(film)
    if not plan.clips:
        raise UserError("animatic: the project has no shots: add shot blocks (type: shot) with a `duration`")
    return {ANIMATIC_NAME: render(plan, progress, cancel)}
