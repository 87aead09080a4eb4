"""Bad input raises the exception of its Rust error kind with the Rust message, never crashes."""

from __future__ import annotations

import gzip

import pytest

import gprofops
from conftest import EXAMPLES, PPROF

CPU = EXAMPLES / "cpu.pb.gz"


def test_exception_hierarchy():
    for cls in (
        gprofops.TruncatedError,
        gprofops.MalformedError,
        gprofops.InvalidProfileError,
        gprofops.GzipError,
        gprofops.TooLargeError,
        gprofops.LegacyFormatError,
        gprofops.UnknownFormatError,
        gprofops.EmptyInputError,
        gprofops.TraceHeaderError,
        gprofops.UnsupportedVersionError,
        gprofops.InvalidTraceError,
    ):
        assert issubclass(cls, gprofops.ParseError)
    assert issubclass(gprofops.ParseError, ValueError)
    assert gprofops.IncompatibleProfiles is gprofops.IncompatibleProfilesError
    for cls in (
        gprofops.IncompatibleProfilesError,
        gprofops.NoProfilesError,
        gprofops.BadRegexError,
        gprofops.BadOptionError,
    ):
        assert issubclass(cls, ValueError)


def test_truncated_gzip():
    data = CPU.read_bytes()[:300]
    with pytest.raises(gprofops.GzipError, match="^decompressing profile: unexpected EOF$"):
        gprofops.Profile.load(data)


def test_truncated_raw_protobuf():
    raw = gzip.decompress(CPU.read_bytes())
    with pytest.raises(
        (gprofops.TruncatedError, gprofops.MalformedError), match=r"protobuf: .* at byte \d+$"
    ):
        gprofops.Profile.load(raw[: len(raw) // 2])


def test_every_prefix_of_a_profile_is_a_profile_or_an_error():
    raw = gzip.decompress(CPU.read_bytes())
    for n in range(0, len(raw), 97):
        try:
            gprofops.Profile.load(raw[:n])
        except gprofops.ParseError:
            pass


def test_garbage_and_empty():
    with pytest.raises(gprofops.EmptyInputError):
        gprofops.Profile.load(b"")
    with pytest.raises(gprofops.ParseError):
        gprofops.Profile.load(b"\xff\xff\xff\xff not a profile")


def test_messages_are_the_clis(cli, tmp_path):
    bad = tmp_path / "bad.pb"
    bad.write_bytes(gzip.decompress(CPU.read_bytes())[:1000])
    r = cli.run("info", bad, check=False)
    assert r.returncode == 2
    with pytest.raises(gprofops.ParseError) as e:
        gprofops.Profile.load(bad)
    assert r.stderr.strip().endswith(str(e.value))


def test_corpus_rejections_match_the_oracles():
    import json

    rejected = [
        p for p in PPROF.rglob("*.oracle.json") if "error" in json.loads(p.read_text())
    ]
    assert rejected
    for oracle in rejected:
        path = oracle.parent / oracle.name[: -len(".oracle.json")]
        with pytest.raises(gprofops.ParseError):
            gprofops.Profile.load(path)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="no-such.pb.gz"):
        gprofops.Profile.load(tmp_path / "no-such.pb.gz")
    with pytest.raises(IsADirectoryError):
        gprofops.Profile.load(tmp_path)
    with pytest.raises(FileNotFoundError):
        gprofops.GcTrace.load(tmp_path / "no-such.log")
    with pytest.raises(FileNotFoundError):
        gprofops.Trace.load(tmp_path / "no-such.trace")


@pytest.mark.parametrize("value", [42, None, 1.5, ["a"], object()])
def test_wrong_types(value):
    with pytest.raises(TypeError):
        gprofops.Profile.load(value)
    with pytest.raises(TypeError):
        gprofops.Trace.load(value)
    with pytest.raises(TypeError):
        gprofops.GcTrace.parse(value)


def test_file_objects():
    import io

    legacy = "heap profile: 1: 2 [3: 4] @ heap/1048576\n1: 2 [3: 4] @ 0x1 0x2\n"
    assert gprofops.Profile.load(io.StringIO(legacy)).num_samples == 1  # text mode works too

    class Odd:
        def read(self):
            return 42

    with pytest.raises(TypeError, match="read\\(\\) returned int"):
        gprofops.Profile.load(Odd())


def test_operation_errors():
    cpu = gprofops.Profile.load(CPU)
    heap = gprofops.Profile.load(EXAMPLES / "heap.pb.gz")
    with pytest.raises(gprofops.NoProfilesError, match="no profiles to merge"):
        gprofops.merge([])
    with pytest.raises(gprofops.IncompatibleProfilesError, match="^incompatible profiles"):
        gprofops.merge([cpu, heap])
    with pytest.raises(TypeError, match="expected Profile"):
        gprofops.merge([cpu, "x"])
    with pytest.raises(gprofops.BadRegexError, match="^parsing focus regexp"):
        cpu.focus("(")
    with pytest.raises(gprofops.BadOptionError, match="sample_index"):
        cpu.top(5, sample_index="nope")
    with pytest.raises(gprofops.BadOptionError):
        cpu.top(5, sample_index=7)
    with pytest.raises(TypeError, match="unexpected report option"):
        cpu.top(5, nodecount=3)
    with pytest.raises(ValueError, match="mode"):
        gprofops.diff(cpu, cpu, mode="other")
    with pytest.raises(gprofops.BadOptionError):
        cpu.aggregate("modules")
