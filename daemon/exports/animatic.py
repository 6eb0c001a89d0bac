"""The animatic: an MP4 cut together by ffmpeg from the approved stills and videos, one shot
after another for each shot's `duration`, with the approved audio of a scene or shot laid
under it. A shot with no approved picture is held as a dark frame, so the timing holds."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import UserError
from .film import DEFAULT_SHOT_SECONDS, Film, seconds

ANIMATIC_NAME = "animatic.mp4"
WIDTH, HEIGHT, FPS = 1280, 720, 24
AUDIO_RATE = 48000
PLACEHOLDER_COLOR = "0x202020"
# Byte-identical output for identical input: no encoder version, no creation time.
BITEXACT = ["-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact", "-map_metadata", "-1"]

Progress = Callable[[float, float], None]


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


@dataclass
class Timeline:
    clips: list[Clip] = field(default_factory=list)
    sounds: list[Sound] = field(default_factory=list)

    @property
    def duration(self) -> float:
        return sum(clip.duration for clip in self.clips)


def timeline(film: Film) -> Timeline:
    plan = Timeline()
    for scene in [*film.scenes, None]:
        scene_start = plan.duration
        for shot in film.shots(scene):
            length = seconds(shot) or DEFAULT_SHOT_SECONDS
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
        inputs += ["-i", str(sound.path)]
        delay = round(sound.start * 1000)
        filters.append(f"[{silence + 1 + k}:a]aresample={AUDIO_RATE},aformat=channel_layouts=stereo,"
                       f"atrim=duration={_seconds(sound.duration)},adelay={delay}|{delay}[s{k}]")
        mix.append(f"[s{k}]")
    filters.append("".join(mix) + f"amix=inputs={len(mix)}:duration=first:normalize=0[audio]")
    return inputs, ";\n".join(filters)


def ffmpeg_command(ffmpeg: str, inputs: list[str], graph_file: Path, duration: float, output: Path) -> list[str]:
    """The graph goes in a file: a long film's graph is over the size of one command-line argument.
    -xerror stops at the first broken frame instead of looping over an unreadable still; a fixed
    thread count keeps x264's output the same on machines with more or fewer cores."""
    return [ffmpeg, "-nostdin", "-y", "-loglevel", "error", "-xerror", "-progress", "pipe:1", *inputs,
            "-filter_complex_script", str(graph_file), "-map", "[video]", "-map", "[audio]",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "26", "-pix_fmt", "yuv420p", "-r", str(FPS), "-threads", "2",
            "-c:a", "aac", "-b:a", "128k", "-t", _seconds(duration), "-movflags", "+faststart", *BITEXACT,
            str(output)]


def ffmpeg_path() -> str:
    found = shutil.which("ffmpeg")
    if found is None:
        raise UserError("animatic: ffmpeg is not installed or not on PATH: install it "
                        "(apt install ffmpeg, brew install ffmpeg) and run the export again")
    return found


def check_media(plan: Timeline, ffmpeg: str) -> None:
    """Decode the start of every picture and sound, so that a bad file is named in the message
    rather than failing somewhere inside one long ffmpeg run."""
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


def render(plan: Timeline, progress: Progress | None = None) -> bytes:
    ffmpeg = ffmpeg_path()
    check_media(plan, ffmpeg)
    with tempfile.TemporaryDirectory(prefix="cinefile-animatic-") as folder:
        output, graph_file = Path(folder) / ANIMATIC_NAME, Path(folder) / "graph.txt"
        inputs, graph = ffmpeg_inputs_and_graph(plan)
        graph_file.write_text(graph, encoding="utf-8")
        with open(Path(folder) / "ffmpeg.log", "w+", encoding="utf-8") as log:
            process = subprocess.Popen(ffmpeg_command(ffmpeg, inputs, graph_file, plan.duration, output), stdout=subprocess.PIPE,
                                       stderr=log, text=True)
            assert process.stdout is not None
            for line in process.stdout:  # `-progress` reports key=value lines as it encodes
                key, _, value = line.strip().partition("=")
                if progress and key == "out_time_us" and value.isdigit():
                    progress(min(int(value) / 1e6, plan.duration), plan.duration)
            status = process.wait()
            log.seek(0)
            errors = log.read()
        if status != 0:
            last = next((l for l in reversed(errors.strip().splitlines()) if l.strip()), "no message")
            raise UserError(f"animatic: ffmpeg failed ({last.strip()}): check that the approved assets "
                            "in assets/ are readable images, videos and sounds")
        return output.read_bytes()


def export_animatic(film: Film, progress: Progress | None = None) -> dict[str, bytes]:
    plan = timeline(film)
    if not plan.clips:
        raise UserError("animatic: the project has no shots: add shot blocks (type: shot) with a `duration`")
    return {ANIMATIC_NAME: render(plan, progress)}
