"""`gort trace`, `pprof` and `plot`: their -o file on failure (only a partial file they created
is removed, never the user's own), and gzipped logs read as the plain ones."""

import gzip
import pathlib

import pytest

from runtime.analysis.synthlog import write_log
from runtime.cli import main

EXPORTS = [("trace", "t.json"), ("pprof", "m.pb.gz"), ("plot", "p.png")]


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    return write_log(tmp_path_factory.mktemp("exports") / "run.jsonl", steps=300, procs=2, seed=3, level="debug")


def gort(capsys, *args):
    with pytest.raises(SystemExit) as exit:
        main(list(map(str, args)))
    out, err = capsys.readouterr()
    return exit.value.code, out, err


@pytest.mark.parametrize("command, name", EXPORTS)
def test_output_a_directory_is_one_line_and_the_directory_stays(tmp_path, capsys, log, command, name):
    target = tmp_path / name
    target.mkdir()
    status, _, err = gort(capsys, command, log, "-o", target)
    assert status == 1 and err == f"gort {command}: cannot write {target}: Is a directory\n"
    assert target.is_dir()


@pytest.mark.parametrize("command, name", EXPORTS)
def test_a_failed_export_keeps_the_users_existing_file(tmp_path, capsys, command, name):
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    target = tmp_path / name
    target.write_bytes(b"the user's file")
    status, _, err = gort(capsys, command, empty, "-o", target)
    assert status == 1 and ("is empty" in err or "no readable event" in err)
    assert target.read_bytes() == b"the user's file"


@pytest.mark.parametrize("command, name", EXPORTS)
def test_gzipped_log_exports_as_the_plain_one(tmp_path, capsys, log, command, name):
    packed = tmp_path / "run.jsonl.gz"
    packed.write_bytes(gzip.compress(pathlib.Path(log).read_bytes()))
    plain_out, packed_out = tmp_path / f"plain-{name}", tmp_path / f"packed-{name}"
    assert gort(capsys, command, log, "-o", plain_out)[0] == 0
    status, out, err = gort(capsys, command, packed, "-o", packed_out)
    assert (status, err) == (0, "")
    if command != "plot":                   # the picture's title names the log
        assert packed_out.read_bytes() == plain_out.read_bytes()


def test_writing_removes_only_the_partial_file_it_created(tmp_path):
    from runtime.analysis.output import writing
    new, old = tmp_path / "new.out", tmp_path / "old.out"
    old.write_bytes(b"before")
    for path in (new, old):
        with pytest.raises(OSError), writing(path):
            path.write_bytes(b"half")
            raise OSError(28, "No space left on device")
    assert not new.exists() and old.read_bytes() == b"half"


@pytest.mark.parametrize("command, name", EXPORTS[:2])
def test_a_gzipped_log_cut_short_is_read_as_far_as_it_goes(tmp_path, capsys, log, command, name):
    packed = gzip.compress(pathlib.Path(log).read_bytes())
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    status, out, err = gort(capsys, command, cut, "-o", tmp_path / name)
    assert status == 0 and out.startswith("wrote ") and "Traceback" not in err
