"""Tests of the benchmark harness ``skrobust._bench`` and the demo."""

import csv
import importlib.util
import runpy
import subprocess
import sys
import time
from importlib import metadata

import numpy as np
import pytest

import skrobust._bench._problem as bench_problem
from skrobust._bench import (
    LabelNoise,
    LabelProportions,
    Method,
    PULabels,
    RunRecord,
    Section,
    available_benchmarks,
    case_control,
    find_benchmark_script,
    fit_on_clean_labels,
    fit_on_corrupted_labels,
    format_table,
    labelled_indicator,
    make_problem,
    peer_version,
    report,
    run_benchmark,
    run_benchmark_script,
    run_in_child,
    summarize,
    write_csv,
)

# wine has 178 rows: every run below forks and fits in a few hundredths of a second.
WINE_NOISE = LabelNoise("symmetric", 0.3)


def _trivial(problem):
    return {"n_train": len(problem.y_train_corrupted)}


def _allocate_200mb(problem):
    block = np.ones(25_000_000)  # 200 MB, every page touched
    return {"total": float(block.sum())}


def _raise(problem):
    raise RuntimeError("boom | on purpose\nsecond line")


def _sleep(problem):
    time.sleep(30)
    return {}


def _not_a_dict(problem):
    return 0.5


def _must_not_run(problem):
    raise AssertionError("a method with a missing peer was run")


def _parse_markdown(text):
    """Header and rows of the first Markdown table in ``text``."""
    lines = [line for line in text.splitlines() if line.startswith("|")]
    split = [[c.strip() for c in line.strip("|").split(" | ")] for line in lines]
    return split[0], split[2:]


@pytest.mark.parametrize(
    ("dataset", "setting"),
    [
        ("digits", LabelNoise("pair", 0.3)),
        ("breast_cancer", PULabels(0.5)),
        ("wine", LabelProportions(8)),
    ],
)
def test_make_problem_same_seed_same_data(dataset, setting):
    first = make_problem(dataset, setting, seed=4)
    again = make_problem(dataset, setting, seed=4)
    other = make_problem(dataset, setting, seed=5)
    for name in ("X_train", "y_train_clean", "y_train_corrupted", "X_test", "y_test"):
        np.testing.assert_array_equal(getattr(first, name), getattr(again, name))
    assert not np.array_equal(first.y_train_corrupted, other.y_train_corrupted)


def test_make_problem_noise_matches_its_record():
    problem = make_problem("digits", LabelNoise("symmetric", 0.4), seed=0)
    flipped = problem.extra["flipped_mask"]
    np.testing.assert_array_equal(
        flipped, problem.y_train_clean != problem.y_train_corrupted
    )
    # 1347 training rows: the flip rate's standard error is about 0.013.
    assert abs(flipped.mean() - 0.4) < 0.05
    np.testing.assert_allclose(problem.X_train.mean(axis=0), 0, atol=1e-10)
    assert problem.extra["transition_matrix"].shape == (10, 10)


def test_make_problem_pu_and_bags():
    pu = make_problem("breast_cancer", PULabels(0.5), seed=0)
    positive = pu.y_train_clean == 1
    assert not pu.y_train_corrupted[~positive].any()
    assert abs(pu.y_train_corrupted[positive].mean() - 0.5) < 0.1
    bags = make_problem("wine", LabelProportions(8), seed=0)
    assert bags.y_train_corrupted.shape == (len(bags.y_train_clean), 3)
    assert np.bincount(bags.extra["bags"]).max() == 8


def test_pu_setting_rejects_multiclass_data():
    with pytest.raises(ValueError, match="binary"):
        make_problem("digits", PULabels(0.5), seed=0)


def test_unknown_dataset_lists_the_known_ones():
    with pytest.raises(ValueError, match="digits"):
        make_problem("mnist", WINE_NOISE, seed=0)


def test_pred_proba_computed_once_and_shared(monkeypatch):
    calls = []
    original = bench_problem.cross_val_predict_proba

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(bench_problem, "cross_val_predict_proba", counting)

    def uses_proba(problem):
        proba = problem.pred_proba()
        # `calls` is the child's forked copy of the parent's list: had the child
        # recomputed the matrix, it would hold one more entry than the parent's.
        return {"checksum": float(proba.sum()), "calls_seen": len(calls)}

    first = Method("first", "test", uses_proba, needs_pred_proba=True)
    second = Method("second", "test", uses_proba, needs_pred_proba=True)
    # Two sections over the same problem and base estimator share it too.
    sections = [
        Section([first], ["wine"], [WINE_NOISE]),
        Section([second], ["wine"], [WINE_NOISE]),
    ]
    records = run_benchmark(sections, seeds=2, verbose=0)
    assert len(calls) == 2  # one per seed
    assert [r.status for r in records] == ["ok"] * 4
    assert [r.metrics["calls_seen"] for r in records] == [1, 1, 2, 2]
    by_seed = {r.seed: [] for r in records}
    for r in records:
        by_seed[r.seed].append(r.metrics["checksum"])
    assert all(first == second for first, second in by_seed.values())


def test_pred_proba_failure_fails_only_the_methods_needing_it():
    methods = [
        Method("needs proba", "test", _must_not_run, needs_pred_proba=True),
        Method("trivial", "test", _trivial),
    ]
    section = Section(methods, ["wine"], [LabelProportions(8)])
    records = run_benchmark([section], seeds=1, verbose=0)
    assert records[0].status.startswith("failed: ValueError: pred_proba needs")
    assert records[1].status == "ok"


def test_pred_proba_is_read_only():
    problem = make_problem("wine", WINE_NOISE, seed=0)
    with pytest.raises(ValueError, match="read-only"):
        problem.pred_proba()[0, 0] = 1.0


def test_missing_peer_gives_not_installed_rows():
    methods = [
        Method(
            "ghost", "ghost-lib", _must_not_run, requires="a_module_that_does_not_exist"
        ),
        Method("trivial", "test", _trivial),
    ]
    records = run_benchmark(
        [Section(methods, ["wine"], [WINE_NOISE])], seeds=1, verbose=0
    )
    assert [r.status for r in records] == ["not installed", "ok"]
    rows = summarize(records)
    assert rows[0]["status"] == "not installed"
    assert "not installed" in format_table(rows)


def test_peer_version_by_import_name():
    assert peer_version("a_module_that_does_not_exist") is None
    # The import name differs from the distribution name here.
    assert peer_version("sklearn") == metadata.version("scikit-learn")


def test_failing_method_gives_failed_row_and_run_goes_on():
    methods = [
        Method("boom", "test", _raise),
        Method("not a dict", "test", _not_a_dict),
        Method("trivial", "test", _trivial),
    ]
    records = run_benchmark(
        [Section(methods, ["wine"], [WINE_NOISE])], seeds=1, verbose=0
    )
    assert records[0].status == "failed: RuntimeError: boom | on purpose"
    assert records[1].status.startswith("failed: TypeError")
    assert records[2].status == "ok"
    assert records[2].metrics == {"n_train": 133.0}
    # The "|" of the message is escaped, so the row keeps its eight cells.
    header, rows = _parse_markdown(format_table(summarize(records)))
    assert len(rows[0]) == len(header) == 8


def test_child_measures_peak_memory():
    problem = make_problem("wine", WINE_NOISE, seed=0)
    small = run_in_child(_trivial, problem)
    large = run_in_child(_allocate_200mb, problem)
    assert small[0] == large[0] == "ok"
    # 25e6 float64 = 190.7 MiB; a trivial run adds a few MiB at most.
    assert large[3] > 150
    assert large[3] - small[3] > 150


def test_child_timeout_is_reported():
    problem = make_problem("wine", WINE_NOISE, seed=0)
    status, metrics, fit_time, _ = run_in_child(_sleep, problem, timeout=0.5)
    assert status == "timeout after 0.5 s"
    assert metrics == {} and np.isnan(fit_time)


def _leave_a_thread(problem):
    import threading

    threading.Thread(target=time.sleep, args=(60,), daemon=False).start()
    return {"ok": 1.0}


def test_a_child_that_cannot_exit_is_killed_after_its_result(monkeypatch):
    import skrobust._bench._run as run

    monkeypatch.setattr(run, "_EXIT_GRACE", 0.5)
    problem = make_problem("wine", WINE_NOISE, seed=0)
    start = time.perf_counter()
    status, metrics, _, _ = run_in_child(_leave_a_thread, problem, timeout=30)
    # The result counts; the 60 s thread no longer holds the benchmark.
    assert status == "ok" and metrics == {"ok": 1.0}
    assert time.perf_counter() - start < 10


def _start_a_grandchild(problem):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    problem.extra["pid_file"].write_text(str(child.pid))
    time.sleep(60)
    return {}


def test_a_timeout_kills_what_the_method_started(tmp_path):
    import os

    problem = make_problem("wine", WINE_NOISE, seed=0)
    pid_file = tmp_path / "pid"
    problem.extra["pid_file"] = pid_file
    status, _, _, _ = run_in_child(_start_a_grandchild, problem, timeout=3)
    assert status == "timeout after 3 s"
    pid = int(pid_file.read_text())
    # Killed with its group: gone, or at most a zombie awaiting its reaper.
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        state = open(f"/proc/{pid}/stat").read().split()[2]
        if state == "Z":
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"grandchild {pid} still running after the timeout")


def test_preimport_imports_what_is_installed():
    from skrobust._bench import preimport

    assert preimport("json", "no_such_module_here", "csv") == ["json", "csv"]


def _record(seed, status="ok", accuracy=None, method="m"):
    metrics = {} if accuracy is None else {"accuracy": accuracy}
    fit_time, peak = (
        (float(seed + 1), 10.0 * (seed + 1))
        if status == "ok"
        else (
            np.nan,
            np.nan,
        )
    )
    return RunRecord(
        "d", "symmetric 20%", seed, "lib", method, status, metrics, fit_time, peak
    )


def test_summarize_aggregates_over_seeds():
    records = [
        _record(0, accuracy=0.5),
        _record(1, accuracy=0.7),
        _record(2, status="failed: ValueError: x"),
    ]
    (row,) = summarize(records)
    assert row["metrics"]["accuracy"] == pytest.approx((0.6, np.sqrt(0.02)))
    assert row["fit_time"] == 1.5  # median of the two successful runs
    assert row["peak_mib"] == 20.0
    assert row["status"] == "2/3 ok; failed: ValueError: x"


def test_a_metric_missing_from_some_runs_leaves_its_cell_empty(tmp_path):
    records = [_record(0, accuracy=0.5), _record(1, accuracy=0.7)]
    records[0].metrics["auroc"] = 0.9
    rows = summarize(records)
    header, cells = _parse_markdown(format_table(rows))
    assert cells[0][header.index("accuracy")] == "0.600 ± 0.141"
    assert cells[0][header.index("auroc")] == ""
    write_csv(rows, tmp_path / "t.csv")
    with open(tmp_path / "t.csv", newline="") as stream:
        (parsed,) = list(csv.DictReader(stream))
    assert parsed["auroc_mean"] == parsed["auroc_std"] == ""


def test_markdown_and_csv_parse_back(tmp_path):
    records = [_record(0, accuracy=0.5), _record(1, accuracy=0.7)]
    records += [_record(s, status="not installed", method="peer") for s in (0, 1)]
    rows = summarize(records)
    header, cells = _parse_markdown(format_table(rows))
    assert header == [
        "dataset",
        "setting",
        "library",
        "method",
        "accuracy",
        "fit time (s)",
        "peak memory (MiB)",
        "status",
    ]
    assert cells[0][4] == "0.600 ± 0.141"
    assert cells[1][4] == "" and cells[1][-1] == "not installed"

    write_csv(rows, tmp_path / "t.csv")
    with open(tmp_path / "t.csv", newline="") as stream:
        parsed = list(csv.DictReader(stream))
    assert list(parsed[0]) == [
        "dataset",
        "setting",
        "library",
        "method",
        "accuracy_mean",
        "accuracy_std",
        "fit_time_s",
        "peak_memory_mib",
        "n_runs",
        "status",
    ]
    assert float(parsed[0]["accuracy_mean"]) == pytest.approx(0.6)
    assert parsed[1]["accuracy_mean"] == "" and parsed[1]["status"] == "not installed"


def test_report_writes_files_with_versions(tmp_path, capsys):
    records = [_record(0, accuracy=0.5)]
    report(
        "unit",
        records,
        seeds=[0],
        threads=1,
        peers={"a_module_that_does_not_exist": None},
        output=tmp_path / "out",
        command="python -m skrobust benchmark unit",
    )
    printed = capsys.readouterr().out
    written = (tmp_path / "out" / "unit.md").read_text()
    assert printed == written
    assert f"scikit-learn {metadata.version('scikit-learn')}" in written
    assert "a_module_that_does_not_exist not installed" in written
    assert "`python -m skrobust benchmark unit`" in written
    assert (tmp_path / "out" / "unit.csv").read_text().startswith("dataset,")


def test_run_benchmark_script_finds_the_demo():
    assert "demo" in available_benchmarks()
    assert find_benchmark_script("demo").name == "bench_demo.py"
    assert find_benchmark_script("../demo") is None


def test_run_benchmark_script_prefers_cwd_and_passes_argv(tmp_path, monkeypatch):
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "benchmarks" / "bench_echo.py").write_text(
        "def main(argv=None):\n    return len(argv) + 40\n"
    )
    monkeypatch.chdir(tmp_path)
    assert run_benchmark_script("echo", ["--quick", "x"]) == 42
    assert "echo" in available_benchmarks()


def test_run_benchmark_script_unknown_name_lists_available(capsys):
    assert run_benchmark_script("no_such_benchmark", []) == 2
    err = capsys.readouterr().err
    assert "no_such_benchmark" in err and "demo" in err


def _has(module):
    return importlib.util.find_spec(module) is not None


def test_demo_quick_prints_a_table():
    result = subprocess.run(
        [sys.executable, "-m", "skrobust", "demo", "--quick"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    header, rows = _parse_markdown(result.stdout)
    assert header[:5] == ["dataset", "setting", "library", "method", "accuracy"]
    settings = list(dict.fromkeys(row[1] for row in rows))
    assert settings == [
        "no noise",
        "symmetric 20%",
        "symmetric 40%",
        "pair 20%",
        "pair 40%",
        "PU c=0.1",
        "PU c=0.3",
        "PU c=0.5",
        "bags of 32",
        "bags of 128",
    ]
    noise = [row for row in rows if row[0] == "digits"]
    ok = {(row[1], row[2]): float(row[4]) for row in noise if row[-1] == "ok"}
    baseline = {s: a for (s, lib), a in ok.items() if lib == "scikit-learn"}
    ours = {s: a for (s, lib), a in ok.items() if lib == "skrobust"}
    assert len(baseline) == len(ours) == 5, "baseline and skrobust rows all ran"
    # Clean labels beat 40% pair noise by far (0.97 vs 0.59 on seed 0), and
    # confident learning recovers part of the loss under pair noise.
    assert baseline["no noise"] > baseline["pair 40%"] + 0.2
    assert ours["pair 20%"] > baseline["pair 20%"] + 0.03
    pu = {
        (row[1], row[3].split(" (")[0]): (float(row[4]) if row[-1] == "ok" else None)
        for row in rows
        if row[0] == "breast_cancer"
    }
    naive = "LogisticRegression on s"
    for c in ("0.1", "0.3", "0.5"):
        # Seed 0: the naive classifier scores 0.37 to 0.63, the weighted
        # Elkan-Noto classifier 0.93 to 0.95, the recommended network 0.94 to
        # 0.97, the supervised ceiling 0.97.
        setting = f"PU c={c}"
        assert (
            pu[(setting, "WeightedElkanNotoClassifier")] > pu[(setting, naive)] + 0.25
        )
        assert pu[(setting, "LogisticRegression on the true labels")] > 0.95
        recommended = pu[(setting, "make_pu_classifier()")]
        if _has("torch") and _has("skorch"):
            assert recommended > pu[(setting, naive)] + 0.25
    llp = {
        (row[1], row[3].split(" (")[0]): float(row[4])
        for row in rows
        if row[1].startswith("bags of") and row[-1] == "ok"
    }
    for size in ("32", "128"):
        # Seed 0: each bag's majority class scores 0.63 to 0.64, EM 0.93 to 0.97.
        setting = f"bags of {size}"
        majority = llp[(setting, "LogisticRegression on each bag's majority class")]
        assert llp[(setting, "ProportionEMClassifier()")] > majority + 0.25
    n_runs = len(rows)
    assert f"[{n_runs}/{n_runs}]" in result.stderr


@pytest.mark.parametrize(
    ("dataset", "positive_digits"),
    [("digits_3_vs_rest", [3]), ("digits_even_odd", [0, 2, 4, 6, 8])],
)
def test_binary_digits_presets_mark_the_positive_digits(dataset, positive_digits):
    X, y = bench_problem.load_dataset(dataset)
    X_digits, digits = bench_problem.load_dataset("digits")
    np.testing.assert_array_equal(X, X_digits)
    np.testing.assert_array_equal(y, np.isin(digits, positive_digits))
    problem = make_problem(dataset, PULabels(0.5), seed=0)
    assert problem.classes.tolist() == [0, 1]
    # The stratified split keeps the positive share: 183/1797 for digit 3.
    expected = np.isin(digits, positive_digits).mean()
    assert abs(problem.extra["class_prior"] - expected) < 0.005


def test_score_binary_on_test_reports_accuracy_and_positive_f1():
    problem = make_problem("breast_cancer", PULabels(0.5), seed=0)
    y_test = problem.y_test
    perfect = bench_problem.score_binary_on_test(problem, y_test)
    assert perfect == {"accuracy": 1.0, "f1": 1.0}
    # Predicting the majority class (1, benign) everywhere: accuracy is its
    # share and F1 = 2 p / (1 + p); predicting 0 everywhere gives F1 = 0.
    share = y_test.mean()
    all_positive = bench_problem.score_binary_on_test(problem, np.ones_like(y_test))
    assert all_positive["accuracy"] == pytest.approx(share)
    assert all_positive["f1"] == pytest.approx(2 * share / (1 + share))
    all_negative = bench_problem.score_binary_on_test(problem, np.zeros_like(y_test))
    assert all_negative == {"accuracy": pytest.approx(1 - share), "f1": 0.0}
    # pos_label=0 scores the other class.
    flipped = bench_problem.score_binary_on_test(
        problem, np.zeros_like(y_test), pos_label=0
    )
    assert flipped["f1"] == pytest.approx(2 * (1 - share) / (2 - share))


def test_pu_benchmark_rows_and_case_control_form():
    path = find_benchmark_script("pu")
    namespace = runpy.run_path(str(path), run_name="bench_pu")
    keys = [(m.library, m.name) for m in namespace["METHODS"]]
    assert len(keys) == len(set(keys)), "each row is keyed by library and name"
    (quick,) = namespace["sections"](quick=True)
    assert quick.datasets == ("breast_cancer",) and len(quick.settings) == 2
    problem = make_problem("breast_cancer", PULabels(0.5), seed=0)
    X, y = namespace["_case_control"](problem)
    labelled = problem.y_train_corrupted == 1
    # U is every training row and P the labelled rows, appended once more.
    np.testing.assert_array_equal(X[y == 0], problem.X_train)
    np.testing.assert_array_equal(X[y == 1], problem.X_train[labelled])
    # kappa, the positives' share among s = 0 rows, maps back to the true prior.
    hidden_share = (problem.y_train_clean[~labelled] == 1).mean()
    prior = namespace["_prior_from_unlabelled_share"](problem, hidden_share)
    assert prior == pytest.approx(problem.extra["class_prior"])


class _PriorRecorder:
    """Stands in for a peer classifier and records the prior it is given (in
    ``__init__`` as pulearn's ``prior``, in ``fit`` as pu-toolbox's
    ``class_prior``)."""

    seen = []

    def __init__(self, *args, **kwargs):
        self.kwargs = kwargs

    def fit(self, X, y, **fit_params):
        prior = fit_params.get("class_prior", self.kwargs.get("prior"))
        type(self).seen.append(prior)
        return self

    def predict(self, X):
        return np.ones(len(X), dtype=int)


def test_pu_benchmark_peers_without_the_true_prior_get_the_peer_estimate(
    monkeypatch,
):
    """Each "(pulearn's prior)" row hands its classifier pulearn's best prior
    estimate (the mean propensity of the labelled rows, c = mean P(s=1|x) over
    them) and each "(true prior)" row the true prior, classifier by classifier."""
    pulearn = pytest.importorskip("pulearn")
    pu_toolbox = pytest.importorskip("pu_toolbox")
    path = find_benchmark_script("pu")
    namespace = runpy.run_path(str(path), run_name="bench_pu")
    problem = make_problem("breast_cancer", PULabels(0.3), seed=0)
    s = problem.y_train_corrupted == 1
    proba = namespace["_shared_s_proba"](problem)
    estimated = min(s.mean() / proba[s].mean(), 1 - 0.5 / s.size)
    truth = problem.extra["class_prior"]
    assert namespace["_peer_prior"](problem) == pytest.approx(estimated)
    assert abs(estimated - truth) > 1e-3

    monkeypatch.setattr(pulearn, "NNPUClassifier", _PriorRecorder)
    for _, name, options in namespace["_TOOLBOX_PEERS"]:
        if options.get("true_prior"):
            monkeypatch.setattr(pu_toolbox, name, _PriorRecorder)
    given = {}
    for method in namespace["METHODS"]:
        if method.library in ("pulearn", "pu-toolbox") and method.name.endswith(
            ("(true prior)", "(pulearn's prior)")
        ):
            _PriorRecorder.seen = []
            method.func(problem)
            (given[method.name],) = _PriorRecorder.seen
    assert len(given) == 12
    for name, prior in given.items():
        expected = truth if name.endswith("(true prior)") else estimated
        assert prior == pytest.approx(expected), name


def test_unwritable_output_is_a_usage_error_before_the_run(tmp_path):
    """The folder was only written after the whole run, ending in a traceback."""
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    start = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "skrobust",
            "demo",
            "--quick",
            "--output",
            str(blocker / "out"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "argument --output: cannot write to the folder" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert time.perf_counter() - start < 60


def test_positive_ints_argument_type():
    import argparse

    from skrobust._bench._cli import positive_ints

    assert positive_ints("100, 30") == [100, 30]
    for bad in ("abc", "0", "5,-1", ""):
        with pytest.raises(argparse.ArgumentTypeError, match="positive integers"):
            positive_ints(bad)


def test_select_sections_keeps_only_what_the_filters_name():
    from skrobust._bench._cli import select_sections

    first = Method("WeightedElkanNoto", "test", _trivial)
    second = Method("ElkanNoto", "test", _trivial)
    other = Method("peer row", "peer", _trivial)
    sections = [
        Section([first, second], ["wine", "breast_cancer"], [WINE_NOISE]),
        Section([other], ["wine"], [WINE_NOISE, LabelNoise("symmetric", 0.1)]),
    ]
    assert select_sections(sections) == sections
    kept = select_sections(sections, methods=["ElkanNoto"], datasets=["wine"])
    # The second section has no matching method left, so it is dropped whole.
    assert len(kept) == 1
    assert [m.name for m in kept[0].methods] == ["WeightedElkanNoto", "ElkanNoto"]
    assert kept[0].datasets == ("wine",)
    assert kept[0].estimator is sections[0].estimator
    kept = select_sections(sections, settings=["symmetric 10%"])
    assert [s.methods for s in kept] == [(other,)]
    assert [s.label for s in kept[0].settings] == ["symmetric 10%"]
    with pytest.raises(ValueError, match="--datasets: 'digits' not in"):
        select_sections(sections, datasets=["wine", "digits"])
    with pytest.raises(ValueError, match="--settings: 'PU c=0.1' not in"):
        select_sections(sections, settings=["PU c=0.1"])
    with pytest.raises(ValueError, match="nothing left to run") as error:
        select_sections(sections, methods=["peer"], datasets=["breast_cancer"])
    message = str(error.value)
    assert "--method 'peer'; --datasets 'breast_cancer'" in message
    assert "'ElkanNoto', 'WeightedElkanNoto', 'peer row'" in message
    with pytest.raises(ValueError, match="nothing left to run") as error:
        select_sections(
            sections, datasets=["breast_cancer"], settings=["symmetric 10%"]
        )
    assert "--method" not in str(error.value)
    # A method text that matches nothing is named, even beside one that does.
    with pytest.raises(ValueError, match="--method: 'ElknNoto' matches no method"):
        select_sections(sections, methods=["ElkanNoto", "ElknNoto"])


def test_benchmark_cli_runs_the_seeds_and_rows_asked_for(tmp_path, capsys):
    from skrobust._bench._cli import benchmark_main

    sections = [
        Section(
            [Method("kept", "test", _trivial), Method("dropped", "test", _trivial)],
            ["wine"],
            [WINE_NOISE],
        )
    ]
    argv = ["--first-seed", "100", "--seeds", "2", "--method", "kept", "--quiet"]
    assert benchmark_main("toy", sections, argv + ["--output", str(tmp_path)]) == 0
    table = (tmp_path / "toy.md").read_text()
    assert "- seeds: 100, 101" in table
    assert "| kept |" in table and "dropped" not in table
    with pytest.raises(SystemExit, match="--first-seed must be at least 0"):
        benchmark_main("toy", sections, ["--first-seed", "-1"])
    with pytest.raises(SystemExit, match="--method: 'absent' matches no method"):
        benchmark_main("toy", sections, ["--method", "absent"])
    capsys.readouterr()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--timeout", "inf"], "argument --timeout: expected a finite number"),
        (["--timeout", "nan"], "argument --timeout: expected a finite number"),
        (["--timeout", "0"], "argument --timeout: expected a finite number"),
        (["--timeout", "-5"], "argument --timeout: expected a finite number"),
        (["--threads", "-1"], "argument --threads: expected a whole number"),
    ],
)
def test_benchmark_cli_refuses_bad_limits(argv, message, capsys):
    """inf/nan crashed mid-run; 0, -5 and --threads -1 were taken (found in
    review)."""
    from skrobust._bench._cli import benchmark_main

    sections = [Section([Method("kept", "test", _trivial)], ["wine"], [WINE_NOISE])]
    with pytest.raises(SystemExit) as raised:
        benchmark_main("toy", sections, argv)
    assert raised.value.code == 2
    assert message in capsys.readouterr().err


def test_benchmark_cli_keeps_seeds_below_two_to_the_32():
    from skrobust._bench._cli import benchmark_main

    sections = [Section([Method("kept", "test", _trivial)], ["wine"], [WINE_NOISE])]
    with pytest.raises(SystemExit, match="seeds must stay below 2\\*\\*32"):
        benchmark_main(
            "toy", sections, ["--first-seed", str(2**32 - 1), "--seeds", "2"]
        )


def test_quick_fills_in_only_the_options_left_out(capsys):
    pytest.importorskip("torch")
    main = runpy.run_path(str(find_benchmark_script("losses")))["main"]
    main(["--quick", "--rows", "256", "--classes", "3", "--repeats", "1"])
    out = capsys.readouterr().out
    assert "- batch: 256 x 3 float32 logits; median of 1 forward" in out
    main(["--quick", "--classes", "5"])
    assert "- batch: 4096 x 5 float32 logits; median of 3 forward" in (
        capsys.readouterr().out
    )


@pytest.mark.parametrize("argv", [["--seeds", "0"], ["--seeds", "-2"]])
def test_noise_detect_refuses_fewer_than_one_seed(argv, capsys):
    main = runpy.run_path(str(find_benchmark_script("noise_detect")))["main"]
    with pytest.raises(SystemExit):
        main([*argv, "--no-speed"])
    assert "--seeds must be at least 1" in capsys.readouterr().err


def test_pu_helpers_give_peers_their_forms():
    problem = make_problem("breast_cancer", PULabels(0.3, pos_label=0), 0)
    s = labelled_indicator(problem)
    # 1 exactly where the PU labels carry pos_label, whatever its value.
    np.testing.assert_array_equal(s, problem.y_train_corrupted == 0)
    assert set(np.unique(s)) == {0, 1}
    X, y = case_control(problem)
    n, k = len(s), int(s.sum())
    # Every training row as unlabelled, then the labelled rows again as y = 1.
    assert X.shape == (n + k, problem.X_train.shape[1]) and y.sum() == k
    np.testing.assert_array_equal(X[:n], problem.X_train)
    np.testing.assert_array_equal(X[n:], problem.X_train[s == 1])
    # The ceiling learns from the true labels: far above unlabelled = negative.
    ceiling = fit_on_clean_labels(problem)["accuracy"]
    naive = fit_on_corrupted_labels(problem)["accuracy"]
    assert ceiling > 0.95 and ceiling > naive + 0.2
