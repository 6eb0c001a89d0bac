"""The animatic: an MP4 cut together by ffmpeg, the whole story in film order. Each shot is
held for its `duration` on its approved video or still (letterboxed to the project's aspect
ratio), with the approved audio of a scene or shot laid under it. A shot with no approved
picture shows a slate card (its number, size and description), and a scene with no shots a
card with its heading, for the scene's `duration`, so the cut runs the length of the story.
With slates on, shot numbers (and each scene's heading where it starts) are burned in.

A film is cut in parts of CLIPS_PER_PART clips, each encoded on its own (its pictures, and
the sounds that fall in its span, with lossless audio), then the parts are joined without
re-encoding the picture and the sound is encoded once. One ffmpeg run over every shot at once
held a frame buffer per shot and a file per picture: 8,000 shots took 23 GB of memory and
failed, and a few hundred stills pass macOS's default limit of open files. Encoded parts are
kept in exports/.animatic-cache/ under a hash of their inputs (part_cache.py), so an export
encodes again only the parts whose shots, slates or sounds changed."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field, replace
from itertools import groupby
from pathlib import Path
from typing import Callable

from ..errors import UserError
from .film import DEFAULT_SHOT_SECONDS, ExportedBlock, Film, body_text, one_line, seconds, text_field
from .part_cache import PartCache, part_key
from .screen import Screen, project_ratio, screen_for
from .slates import Caption, Card, SlateImage

ANIMATIC_NAME = "animatic.mp4"
FPS = 24
AUDIO_RATE = 48000
CLIPS_PER_PART = 20  # 550 MB of ffmpeg at most; 40 took 900 MB for no gain in time (measured)
DEFAULT_SCENE_SECONDS = 5.0  # a scene with no shots and no `duration`
# Byte-identical output for identical input: no encoder version, no creation time.
BITEXACT = ["-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact", "-map_metadata", "-1"]
# A fixed thread count keeps x264's output the same on machines with more or fewer cores.
VIDEO_CODEC = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "26", "-pix_fmt", "yuv420p", "-r", str(FPS),
               "-threads", "2"]
AUDIO_CODEC = ["-c:a", "flac", "-ar", str(AUDIO_RATE)]

Progress = Callable[[float, float], None]
Input = str | Path | SlateImage  # an ffmpeg input option: text, a file, or a slate to draw


class EncodingCancelled(Exception):
    """The `cancel` event was set while ffmpeg encoded: it was stopped, nothing was written."""


class NoShots(UserError):
    """The project has no shots yet: nothing to cut. Not a failure: the export goes on."""


@dataclass
class Clip:
    """One shot (or a scene with no shots) on the timeline: its picture (a file, or None for
    its card), its span, and the caption burned over the picture."""

    block_id: str
    picture: Path | None
    is_video: bool
    start: float
    duration: float
    card: Card | None = None  # shown when there is no picture
    caption: Caption | None = None
    scene: str = ""  # the path of its scene ("" for a shot of no scene): parts keep scenes apart


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
    screen: Screen = field(default_factory=lambda: screen_for(None))

    @property
    def duration(self) -> float:
        return sum(clip.duration for clip in self.clips)


def on_frames(duration: float) -> float:
    """A shot's length to the nearest whole frame (one at least): a picture can only change on
    a frame, so sound timed to the exact length would drift from it shot after shot."""
    return max(1, round(duration * FPS)) / FPS


def scene_line(film: Film, scene: ExportedBlock) -> str:
    return f"SCENE {film.scene_numbers[scene.path]}: {film.heading(scene)}"


def scene_card(film: Film, scene: ExportedBlock) -> Card:
    return Card("SCENE, NO SHOTS YET", film.scene_numbers[scene.path],
                (film.heading(scene), scene.title, one_line(body_text(scene))))


def shot_card(film: Film, scene: ExportedBlock | None, shot: ExportedBlock) -> Card:
    size = text_field(shot, "size") or text_field(shot, "framing")
    return Card(scene_line(film, scene) if scene else "NO SCENE", film.shot_numbers[shot.path],
                (size.upper(), one_line(body_text(shot)) or shot.title))


def timeline(film: Film, slates: bool = True, screen: Screen | None = None) -> Timeline:
    """Every scene in film order: its shots, or its card when it has none; then the shots of
    no scene. `slates`: shot numbers, and the heading on each scene's first shot, burned in."""
    plan = Timeline(screen=screen or screen_for(None))
    for scene in [*film.scenes, None]:
        scene_start = plan.duration
        shots = film.shots(scene)
        if scene is not None and not shots:
            length = on_frames(seconds(scene) or DEFAULT_SCENE_SECONDS)
            plan.clips.append(Clip(scene.id, None, False, scene_start, length, scene_card(film, scene),
                                   scene=scene.path))
        for n, shot in enumerate(shots):
            length = on_frames(seconds(shot) or DEFAULT_SHOT_SECONDS)
            videos = [a for a in film.assets(shot, "video", approved_only=True) if a.path]
            stills = [a for a in film.assets(shot, "still", approved_only=True) if a.path]
            picture = videos[0].path if videos else (stills[0].path if stills else None)
            heading = (scene_line(film, scene),) if scene is not None and n == 0 else ()
            caption = Caption((*heading, film.shot_numbers[shot.path])) if slates and picture else None
            card = None if picture else shot_card(film, scene, shot)
            plan.clips.append(Clip(shot.id, picture, bool(videos), plan.duration, length, card, caption,
                                   scene.path if scene else ""))
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


def _still(source: Path | SlateImage) -> list[Input]:
    """A picture read once, as one frame: the graph holds it for the clip's length (decoding
    it again for every frame took most of an encode of stills)."""
    return ["-framerate", str(FPS), "-i", source]


def ffmpeg_inputs_and_graph(plan: Timeline) -> tuple[list[Input], str]:
    """The input options (each clip's picture or card, and its caption; then silence, then
    each sound) and the filter graph that fits, times and joins the pictures and mixes the
    sounds over the silence."""
    screen = plan.screen
    inputs: list[Input] = []
    filters: list[str] = []
    # Scaled into the picture area without stretching; black bars fill the rest of the frame.
    fit = (f"scale={screen.area_width}:{screen.area_height}:force_original_aspect_ratio=decrease,"
           f"pad={screen.width}:{screen.height}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,fps={FPS},format=yuv420p")
    margin = max(4, screen.area_height // 24)
    place = f"x={screen.left + margin}:y={screen.top + screen.area_height - margin}-overlay_h"
    count = 0
    for n, clip in enumerate(plan.clips):
        length = _seconds(clip.duration)
        picture = count
        if clip.picture is None:
            card = clip.card or Card("", "", ())
            inputs += _still(SlateImage(card, screen.area_width, screen.area_height))
        elif clip.is_video:
            inputs += ["-t", length, "-i", clip.picture]
        else:
            inputs += _still(clip.picture)
        count += 1
        # A video shorter than its shot holds its last frame.
        timed = (f"[{picture}:v]{fit},tpad=stop_mode=clone:stop_duration={length},"
                 f"trim=duration={length},setpts=PTS-STARTPTS")
        if clip.caption is None:
            filters.append(f"{timed}[v{n}]")
        else:
            inputs += _still(SlateImage(clip.caption, screen.area_width, screen.area_height))
            filters.append(f"{timed}[p{n}];[p{n}][{count}:v]overlay={place},format=yuv420p[v{n}]")
            count += 1
    filters.append("".join(f"[v{n}]" for n in range(len(plan.clips))) + f"concat=n={len(plan.clips)}:v=1:a=0[video]")
    silence = count
    total = _seconds(plan.duration)
    inputs += ["-f", "lavfi", "-t", total, "-i", f"anullsrc=r={AUDIO_RATE}:cl=stereo"]
    mix = [f"[{silence}:a]"]
    for k, sound in enumerate(plan.sounds):
        inputs += [*(["-ss", _seconds(sound.offset)] if sound.offset else []), "-i", sound.path]
        delay = round(sound.start * 1000)
        filters.append(f"[{silence + 1 + k}:a]aresample={AUDIO_RATE},aformat=channel_layouts=stereo,"
                       f"atrim=duration={_seconds(sound.duration)},adelay={delay}|{delay}[s{k}]")
        mix.append(f"[s{k}]")
    filters.append("".join(mix) + f"amix=inputs={len(mix)}:duration=first:normalize=0[audio]")
    return inputs, ";\n".join(filters)


def parts(plan: Timeline, size: int | None = None) -> list[Timeline]:
    """The timeline cut at every scene, and every `size` clips (CLIPS_PER_PART) within a
    scene, each part timed from its own start, with the part of every sound that falls in
    its span. Cut at scenes, a shot added or removed changes the parts of its scene only,
    not those of every scene after it."""
    size = size or CLIPS_PER_PART
    scenes = [list(run) for _, run in groupby(plan.clips, key=lambda clip: clip.scene)]
    cut = []
    for clips in (scene[first : first + size] for scene in scenes for first in range(0, len(scene), size)):
        begin = clips[0].start
        end = begin + sum(clip.duration for clip in clips)
        part = Timeline([replace(clip, start=clip.start - begin) for clip in clips], screen=plan.screen)
        for sound in plan.sounds:
            start, stop = max(sound.start, begin), min(sound.start + sound.duration, end)
            if stop > start:
                part.sounds.append(Sound(sound.path, start - begin, stop - start, sound.offset + start - sound.start))
        cut.append(part)
    return cut


def command_line(inputs: list[Input]) -> list[str]:
    """The inputs as ffmpeg arguments: a slate by its file name (drawn in ffmpeg's folder)."""
    return [item.name if isinstance(item, SlateImage) else str(item) for item in inputs]


def identity(inputs: list[Input]) -> list[str]:
    """The inputs as the part cache sees them: an asset by its name (its sha256) and size, a
    slate by its name (a hash of what it shows), so a moved project keeps its parts."""
    def one(item: Input) -> str:
        if isinstance(item, SlateImage):
            return item.name
        if isinstance(item, Path):
            try:
                return f"{item.name}:{item.stat().st_size}"
            except OSError:
                return item.name
        return item
    return [one(item) for item in inputs]


def part_command(ffmpeg: str, inputs: list[Input], graph_file: Path, duration: float, video: Path, audio: Path) -> list[str]:
    """One part: its picture in H.264 (Matroska) and its sound as FLAC, so that joining the
    parts re-encodes nothing but the sound, once. The graph goes in a file: it can be over
    the size of one command-line argument. -xerror stops at the first broken frame instead
    of looping over an unreadable still."""
    length = _seconds(duration)
    return [ffmpeg, "-nostdin", "-y", "-loglevel", "error", "-xerror", "-progress", "pipe:1", *command_line(inputs),
            "-filter_complex_script", str(graph_file),
            "-map", "[video]", *VIDEO_CODEC, "-t", length, *BITEXACT, str(video),
            "-map", "[audio]", *AUDIO_CODEC, "-t", length, *BITEXACT, str(audio)]


def join_command(ffmpeg: str, videos: Path, audios: Path, duration: float, output: Path) -> list[str]:
    return [ffmpeg, "-nostdin", "-y", "-loglevel", "error", "-f", "concat", "-safe", "0", "-i", str(videos),
            "-f", "concat", "-safe", "0", "-i", str(audios), "-map", "0:v", "-map", "1:a", "-c:v", "copy",
            "-c:a", "aac", "-b:a", "128k", "-t", _seconds(duration), "-movflags", "+faststart", *BITEXACT, str(output)]


def concat_list(files: list[Path]) -> str:
    """An ffmpeg concat list: absolute paths, quoted as the concat demuxer reads them."""
    return "".join("file '{}'\n".format(str(f.absolute()).replace("'", "'\\''")) for f in files)


def ffmpeg_path() -> str:
    found = shutil.which("ffmpeg")
    if found is None:
        raise UserError("animatic: ffmpeg is not installed or not on PATH: install it "
                        "(apt install ffmpeg, brew install ffmpeg) and run the export again")
    return found


def check_media(plan: Timeline, ffmpeg: str) -> None:
    """Decode the start of every picture and sound of a part that failed, so that a bad file
    is named in the message rather than ffmpeg's last words."""
    wanted = [(clip.picture, "v", clip.block_id) for clip in plan.clips if clip.picture]
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


def ffmpeg_version(ffmpeg: str) -> str:
    """ffmpeg's version and its libraries': a part encoded by another build is encoded again."""
    out = subprocess.run([ffmpeg, "-version"], capture_output=True, text=True, check=False).stdout.splitlines()
    return "\n".join(line.split(" Copyright")[0] for line in out if line.startswith(("ffmpeg version", "lib")))


def encode_part(ffmpeg: str, part: Timeline, inputs: list[Input], graph: str, video: Path, audio: Path,
                folder: Path, progress: Progress | None, cancel: threading.Event | None) -> None:
    """Encode one part into `video` and `audio`, its slates drawn into `folder` first."""
    for item in inputs:
        if isinstance(item, SlateImage) and not (folder / item.name).exists():
            (folder / item.name).write_bytes(item.png())
    graph_file = folder / "part.txt"
    graph_file.write_text(graph, encoding="utf-8")
    failure = _run(part_command(ffmpeg, inputs, graph_file, part.duration, video, audio), folder, progress, cancel)
    if failure is not None:
        check_media(part, ffmpeg)
        raise UserError(f"animatic: ffmpeg failed ({failure}): check that the approved assets "
                        "in assets/ are readable images, videos and sounds")


def render(plan: Timeline, cache: PartCache, progress: Progress | None = None,
           cancel: threading.Event | None = None) -> bytes:
    """Encode the parts not in `cache`, join them all, and forget the parts no longer used."""
    ffmpeg = ffmpeg_path()
    version = ffmpeg_version(ffmpeg)
    with tempfile.TemporaryDirectory(prefix="cinefile-animatic-") as work:
        folder = Path(work)
        keys: list[str] = []
        done = 0.0
        for part in parts(plan):
            if cancel is not None and cancel.is_set():
                raise EncodingCancelled()
            inputs, graph = ffmpeg_inputs_and_graph(part)
            key = part_key(version, VIDEO_CODEC, AUDIO_CODEC, BITEXACT, identity(inputs), graph, part.duration)
            if not cache.has(key):
                report = ((lambda at, total, done=done: progress(min(done + at, plan.duration), plan.duration))
                          if progress else None)
                try:
                    encode_part(ffmpeg, part, inputs, graph, *cache.pending(key), folder, report, cancel)
                except BaseException:
                    cache.discard(key)
                    raise
                cache.keep(key)
            keys.append(key)
            done += part.duration
            if progress:
                progress(done, plan.duration)
        output = folder / ANIMATIC_NAME
        lists = [folder / "videos.txt", folder / "audios.txt"]
        for listing, files in zip(lists, zip(*(cache.files(key) for key in keys))):
            listing.write_text(concat_list(list(files)), encoding="utf-8")
        failure = _run(join_command(ffmpeg, *lists, plan.duration, output), folder, None, cancel)
        if failure is not None:
            raise UserError(f"animatic: ffmpeg failed joining the parts ({failure}): "
                            f"check the free space in {tempfile.gettempdir()} and in exports/")
        cache.keep_only(set(keys))
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


def export_animatic(film: Film, progress: Progress | None = None, cancel: threading.Event | None = None,
                    slates: bool = True) -> dict[str, bytes]:
    if not film.ordered_shots():
        raise NoShots("animatic: the project has no shots: add shot blocks (type: shot) with a `duration`")
    ffmpeg_path()  # missing: said before anything is made
    plan = timeline(film, slates, screen_for(project_ratio(film.project)))
    return {ANIMATIC_NAME: render(plan, PartCache(film.project), progress, cancel)}
