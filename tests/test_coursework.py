"""The appendices: their scripts run from a copy of bp/ alone, and what they say about bp holds.

appendix/coursework.md ("Using bp in your coursework") and appendix/pytorch_jax.md ("From bp to
PyTorch and JAX") show the scripts in examples/ with {literalinclude}, so page and test cannot
drift. This file checks:

* each script runs from a copy of bp/ (copied alone into a fresh folder), with matplotlib and
  ipywidgets made unimportable, imports that copy and not the installed bp, and prints what the
  pages say it prints;
* a broken backward pass in examples/new_layer.py fails its gradient check (negative controls);
* the hand-written loop of examples/two_layer_bp.py ends with bit-identical parameters to bp.fit;
* every ``bp.X`` the pages name exists, the API map names every public name of bp, the calls
  quoted in prose run, the repository address and the citation match _config.yml;
* each claim the pages make about bp (shapes, defaults, update rules, counts).
"""

from __future__ import annotations

import contextlib
import inspect
import io
import math
import pathlib
import re
import runpy
import shutil
import subprocess
import sys
import textwrap
import tomllib

import numpy as np
import pytest
from test_book_build import CONFIG
from test_conventions import call_problem, prose_calls
from test_publishing import wrong_addresses

import bp

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGES = {name: ROOT / "appendix" / f"{name}.md" for name in ("coursework", "pytorch_jax")}
EXAMPLES = ROOT / "examples"
SCRIPTS = ["coursework_train.py", "new_layer.py", "two_layer_bp.py"]

# Run by `python -c`, in the folder that holds the copy of bp/: a None in sys.modules makes
# `import matplotlib` (and ipywidgets) raise ImportError, and the bp imported must be the copy.
PRELUDE = ("import sys; sys.modules.update(matplotlib=None, ipywidgets=None); "
           "import bp; assert bp.__file__.startswith({folder!r}), bp.__file__; "
           "import runpy; runpy.run_path({script!r}, run_name='__main__')")


def page(name: str) -> str:
    return PAGES[name].read_text()


def run_alone(script: pathlib.Path, folder: pathlib.Path) -> subprocess.CompletedProcess:
    """Run ``script`` in ``folder`` with a copy of bp/ beside it and no matplotlib or ipywidgets."""
    if not (folder / "bp").exists():
        shutil.copytree(pathlib.Path(bp.__file__).parent, folder / "bp",
                        ignore=shutil.ignore_patterns("__pycache__"))
    if script.parent != folder:
        shutil.copy(script, folder / script.name)
    code = PRELUDE.format(folder=str(folder), script=script.name)
    return subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True, text=True,
                          timeout=120)


def number(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    assert match, f"no line matching {pattern!r} in:\n{text}"
    return float(match.group(1))


# --- The scripts run from a copy of bp/ alone -------------------------------------------------

def test_the_runner_really_blocks_matplotlib(tmp_path):
    (tmp_path / "plots.py").write_text("import matplotlib\n")
    result = run_alone(tmp_path / "plots.py", tmp_path)
    assert result.returncode != 0 and "matplotlib halted" in result.stderr, result.stderr
    (tmp_path / "plotting.py").write_text("import bp.plotting\n")
    result = run_alone(tmp_path / "plotting.py", tmp_path)
    assert result.returncode != 0 and "No module named 'matplotlib" in result.stderr, "bp.plotting needs matplotlib"


def test_coursework_script_trains_tests_and_checks_gradients(tmp_path):
    result = run_alone(EXAMPLES / "coursework_train.py", tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    start, end = map(float, re.search(r"training loss (\S+) -> (\S+) in 720 updates", out).groups())
    assert end < start, "the page says the training loss falls"
    assert number(r"validation accuracy (\S+)", out) > 0.9
    assert number(r"test accuracy (\S+)", out) > 0.9
    probabilities = re.search(r"first 3 test points: \[([^\]]*)\]", out).group(1).split()
    assert len(probabilities) == 3 and all(0 <= float(p) <= 1 for p in probabilities)
    assert number(r"gradient check: largest relative error (\S+)", out) < 1e-7


def test_coursework_script_is_about_30_lines_and_its_update_count_is_the_pages():
    code = [line for line in (EXAMPLES / "coursework_train.py").read_text().splitlines()
            if line.strip() and not line.startswith(('"""', "Needs", "Train"))]
    assert len(code) <= 32, len(code)
    g = runpy.run_path(str(EXAMPLES / "coursework_train.py"))
    assert len(g["X_train"]) == 384 and g["batch_size"] == 32          # "N = 384", "B = 32"
    assert math.ceil(384 / 32) == 12 and g["epochs"] * 12 == sum(g["history"].updates) == 720
    assert "N = 384" in page("coursework") and "12 updates per epoch" in page("coursework")


def test_new_layer_and_loss_pass_their_gradient_checks(tmp_path):
    result = run_alone(EXAMPLES / "new_layer.py", tmp_path)
    assert result.returncode == 0, result.stderr
    assert number(r"LeakyReLU: largest relative error (\S+)", result.stdout) < 1e-7
    assert number(r"Huber: largest relative error (\S+)", result.stdout) < 1e-7


def test_two_layer_network_learns(tmp_path):
    result = run_alone(EXAMPLES / "two_layer_bp.py", tmp_path)
    assert result.returncode == 0, result.stderr
    assert number(r"test accuracy (\S+)", result.stdout) > 0.9


# --- Negative controls: a wrong backward pass is caught ----------------------------------------

MUTATIONS = {
    # the slope forgotten, as the page suggests trying: LeakyReLU's derivative becomes ReLU's
    "LeakyReLU": ("np.where(self.active, 1.0, self.slope)", "self.active"),
    # Huber's gradient not clipped: the squared error's gradient instead
    "Huber": ("np.clip(self.diff, -self.delta, self.delta)", "self.diff"),
}


@pytest.mark.parametrize("part", MUTATIONS)
def test_a_wrong_backward_fails_the_check_and_stops_the_script(part, tmp_path):
    right, wrong = MUTATIONS[part]
    source = (EXAMPLES / "new_layer.py").read_text()
    assert source.count(right) == 1, f"the mutation target {right!r} is gone from new_layer.py"
    script = tmp_path / "new_layer.py"
    script.write_text(source.replace(right, wrong))
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(AssertionError, match="backward pass is wrong"):
        runpy.run_path(str(script))
    assert number(rf"{part}: largest relative error (\S+)", out.getvalue()) > 1e-4   # "above 1e-4"


def test_forgetting_the_slope_shows_in_the_first_layers_weights(tmp_path):
    right, wrong = MUTATIONS["LeakyReLU"]
    source = (EXAMPLES / "new_layer.py").read_text().replace(right, wrong).replace("\nassert ", "\n0 and ")
    g = runpy.run_path(str(_write(tmp_path / "mutated.py", source)))
    assert g["errors"]["0.W"] > 1e-4, "the page says the check of the first layer's weights fails"


def _write(path: pathlib.Path, text: str) -> pathlib.Path:
    path.write_text(text)
    return path


def test_huber_trains_with_fit_and_its_yardstick_is_the_median_prediction():
    g = runpy.run_path(str(EXAMPLES / "new_layer.py"))
    Huber, rng = g["Huber"], np.random.default_rng(1)
    X, y = bp.make_line(200, slope=2.0, intercept=1.0, noise=0.5, rng=rng)
    model = bp.Sequential(bp.Linear(1, 8, rng=rng), bp.Tanh(), bp.Linear(8, 1, rng=rng))
    loss = Huber(delta=0.5)
    history = bp.fit(model, loss, bp.Adam(model.parameters(), lr=0.01), X, y, epochs=30,
                     batch_size=20, rng=rng)
    assert history.loss[-1] < history.loss[0] / 2
    median = np.median(y, axis=0)
    assert loss.baseline_loss(y) == pytest.approx(loss.forward(np.broadcast_to(median, y.shape), y))
    with pytest.raises(ValueError):
        Huber().backward()                                   # before any forward pass


# --- The hand-written loop is the loop bp.fit runs ---------------------------------------------

def test_hand_written_loop_gives_bit_identical_parameters_to_fit():
    source = (EXAMPLES / "two_layer_bp.py").read_text()
    before_loop, marker, _ = source.partition("\nfor epoch in range(epochs):")
    assert marker, "two_layer_bp.py no longer has its hand-written loop"
    by_hand = runpy.run_path(str(EXAMPLES / "two_layer_bp.py"))
    g: dict = {}
    exec(compile(before_loop, "two_layer_bp.py (before the loop)", "exec"), g)  # noqa: S102 - our own file
    bp.fit(g["model"], g["loss"], g["optimizer"], g["X_train"], g["y_train"], epochs=g["epochs"],
           batch_size=g["batch_size"], rng=g["rng"])
    for (name, p), (_, q) in zip(by_hand["model"].named_parameters(), g["model"].named_parameters()):
        assert np.array_equal(p.data, q.data), f"{name} differs between the loop and bp.fit"
    assert "to the last bit" in page("pytorch_jax")


# --- The pages name bp correctly ----------------------------------------------------------------

BP_NAME = re.compile(r"\bbp\.([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)")


def resolve(dotted: str):
    """The object ``bp.<dotted>`` names: attributes, or submodules such as bp.plotting."""
    import importlib
    obj, path = bp, "bp"
    for part in dotted.split("."):
        path += "." + part
        try:
            obj = getattr(obj, part)
        except AttributeError:
            obj = importlib.import_module(path)   # a submodule not imported by `import bp`
    return obj


@pytest.mark.parametrize("name", PAGES)
def test_every_bp_name_on_the_page_exists(name):
    names = sorted(set(BP_NAME.findall(page(name))))
    assert len(names) > 10
    missing = []
    for dotted in names:
        if dotted in {"__file__"}:
            continue
        try:
            resolve(dotted)
        except (AttributeError, ImportError):
            missing.append(f"bp.{dotted}")
    assert not missing, f"appendix/{name}.md names what bp does not have: {missing}"


def test_a_misspelt_bp_name_is_caught():
    with pytest.raises((AttributeError, ImportError)):
        resolve("SoftmaxCrossEntropyLoss")
    assert BP_NAME.findall("use `bp.fit(...)` or bp.schedules.Cosine.") == ["fit", "schedules.Cosine"]


def test_the_api_map_names_every_public_name_of_bp():
    text = page("coursework")
    missing = [name for name in bp.__all__ if f"bp.{name}" not in text]
    assert not missing, ("appendix/coursework.md's API map lacks these public names of bp "
                         f"(bp.__all__): {missing}")
    for module in ("plotting", "widgets"):
        assert f"bp.{module}" in text


@pytest.mark.parametrize("name", PAGES)
def test_bp_calls_quoted_in_prose_run_as_quoted(name):
    spans = prose_calls(page(name))
    assert spans, "the pages quote bp calls; the parser found none"
    problems = [p for span in spans if (p := call_problem(span))]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", PAGES)
def test_repository_addresses_match_config(name):
    assert not wrong_addresses(page(name)), wrong_addresses(page(name))


def test_install_commands_and_citation_match_the_project():
    text = page("coursework")
    url = CONFIG["repository"]["url"]
    assert f"pip install git+{url}" in text
    template = (ROOT / "chapters" / "template.ipynb").read_text()
    assert f"pip install --quiet git+{url}" in template, "the page says Colab cells run this command"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["dependencies"] == ["numpy>=1.24"], "the page says bp needs numpy only"
    assert project["requires-python"] == ">=3.11" and "Python 3.11 or newer" in text
    assert {"plotting", "widgets"} <= set(project["optional-dependencies"])
    assert "ipywidgets" in " ".join(project["optional-dependencies"]["widgets"])
    bibtex = re.search(r"```bibtex\n(.*?)```", text, re.S).group(1)
    assert f"title  = {{{CONFIG['title']}}}" in bibtex
    assert f"author = {{{{{CONFIG['author']}}}}}" in bibtex
    assert f"url    = {{{url}}}" in bibtex


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_example_is_included_by_a_page(script):
    included = [m for name in PAGES for m in re.findall(r"```\{literalinclude\} \.\./examples/(\S+)", page(name))]
    assert script in included
    assert set(included) <= set(SCRIPTS)


def test_the_pytorch_and_jax_code_is_python_and_never_a_requirement():
    blocks = [textwrap.dedent(b) for _, b in re.findall(r"^( *)```python\n(.*?)^\1```", page("pytorch_jax"),
                                                         re.S | re.M)]
    assert len(blocks) == 4 and "import torch" in blocks[2] and "import jax" in blocks[3]
    for block in blocks:
        compile(block, "appendix block", "exec")          # valid Python; never executed
    for requirements in ROOT.glob("requirements*.txt"):
        lines = [line.split("#")[0].strip().lower() for line in requirements.read_text().splitlines()]
        assert not any(re.match(r"(torch|jax|jaxlib|optax|flax)\b", line) for line in lines), requirements


# --- What the pages say about bp ----------------------------------------------------------------

def test_linear_stores_w_as_n_in_by_n_out_and_computes_x_w_plus_b():
    rng = np.random.default_rng(0)
    layer = bp.Linear(3, 5, rng=rng)
    assert layer.W.data.shape == (3, 5) and layer.b.data.shape == (5,)
    X = rng.normal(size=(4, 3))
    assert np.allclose(layer.forward(X), X @ layer.W.data + layer.b.data)


def test_default_initialisation_and_the_comparison_with_pytorch():
    assert inspect.signature(bp.Linear).parameters["init"].default == "xavier"
    W = bp.Linear(64, 64, rng=np.random.default_rng(0)).W.data
    assert W.std() == pytest.approx(math.sqrt(2 / 128), rel=0.05)        # normal, sqrt(2/(n_in+n_out))
    assert not bp.Linear(64, 64, rng=np.random.default_rng(0)).b.data.any()   # biases start at zero
    # PyTorch: kaiming_uniform_ with a = sqrt(5): bound = gain * sqrt(3 / n_in), gain = sqrt(2 / (1 + a^2))
    n_in = 64
    bound = math.sqrt(2 / (1 + 5)) * math.sqrt(3 / n_in)
    assert bound == pytest.approx(1 / math.sqrt(n_in))
    torch_std, bp_std = bound / math.sqrt(3), math.sqrt(2 / (n_in + 64))  # std of U(-c, c) is c / sqrt(3)
    assert torch_std == pytest.approx(1 / math.sqrt(3 * n_in))
    assert (round(torch_std, 3), round(bp_std, 3)) == (0.072, 0.125) and torch_std < bp_std
    assert "0.072 against 0.125 for a 64 → 64 layer" in page("pytorch_jax")


def test_backward_overwrites_grad_and_there_is_no_zero_grad():
    rng = np.random.default_rng(0)
    X, y = bp.make_spirals(12, noise=0.1, rng=rng)
    model = bp.Sequential(bp.Linear(2, 4, rng=rng), bp.Tanh(), bp.Linear(4, 3, rng=rng))
    loss = bp.SoftmaxCrossEntropy()
    grads = []
    for _ in range(2):
        loss(model.forward(X), y)
        model.backward(loss.backward())
        grads.append([p.grad.copy() for p in model.parameters()])
    assert all(np.array_equal(a, b) for a, b in zip(*grads))
    assert not hasattr(bp.Momentum(model.parameters(), lr=0.1), "zero_grad")


def test_momentum_is_the_pytorch_form_and_nesterov_adds_g_plus_beta_v():
    for nesterov in (False, True):
        p = bp.Parameter(np.array([1.0]))
        opt = bp.Momentum([p], lr=0.1, beta=0.9, nesterov=nesterov)
        theta, v = 1.0, 0.0
        for g in (2.0, -1.0, 0.5):
            p.grad = np.array([g])
            opt.step()
            v = 0.9 * v + g                                   # v_t = beta v_{t-1} + g_t
            theta -= 0.1 * ((g + 0.9 * v) if nesterov else v)
            assert p.data[0] == pytest.approx(theta)
    assert inspect.signature(bp.Momentum).parameters["beta"].default == 0.9


def test_optimizer_defaults_quoted_on_the_pages():
    rms = inspect.signature(bp.RMSProp).parameters
    assert (rms["lr"].default, rms["rho"].default, rms["eps"].default) == (1e-3, 0.9, 1e-8)
    adam = inspect.signature(bp.Adam).parameters
    assert ((adam["lr"].default, adam["beta1"].default, adam["beta2"].default, adam["eps"].default)
            == (1e-3, 0.9, 0.999, 1e-8))
    assert inspect.signature(bp.Momentum).parameters["nesterov"].default is False


def test_cosine_at_update_t_is_pytorchs_and_optaxs_formula_after_t_minus_1_steps():
    T, lr = 50, 0.1
    schedule = bp.Cosine(lr, total=T)
    for t in range(1, T + 1):                                 # closed form, T_cur = t - 1, T_max = T
        assert schedule(t) == pytest.approx(0.5 * lr * (1 + math.cos(math.pi * (t - 1) / T)))


def test_fit_sets_the_schedules_rate_before_every_update():
    rng = np.random.default_rng(0)
    X, y = bp.make_moons(40, noise=0.1, rng=rng)
    model = bp.Sequential(bp.Linear(2, 4, rng=rng), bp.Tanh(), bp.Linear(4, 2, rng=rng))
    optimizer = bp.GradientDescent(model.parameters(), lr=0.1)
    schedule = bp.StepDecay(0.1, every=3, factor=0.5)
    history = bp.fit(model, bp.SoftmaxCrossEntropy(), optimizer, X, y, epochs=2, batch_size=10,
                     rng=rng, schedule=schedule)
    assert history.updates == [4, 4] and history.lr == [schedule(4), schedule(8)]   # counts updates


def test_losses_take_logits_and_average_over_the_batch():
    rng = np.random.default_rng(0)
    Z, labels = rng.normal(size=(6, 3)), np.array([0, 2, 1, 1, 0, 2])
    log_p = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    assert bp.SoftmaxCrossEntropy()(Z, labels) == pytest.approx(-log_p[np.arange(6), labels].mean())
    z, t = rng.normal(size=(6, 1)), np.array([0, 1, 1, 0, 1, 0])
    s = 1 / (1 + np.exp(-z[:, 0]))
    assert bp.BinaryCrossEntropy()(z, t) == pytest.approx(-np.mean(t * np.log(s) + (1 - t) * np.log(1 - s)))
    # MSE: the squared errors of an example's K outputs summed, then the mean over N examples,
    # K times PyTorch's mean over all N K numbers
    Y_hat, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    assert bp.MSE()(Y_hat, Y) == pytest.approx(((Y_hat - Y) ** 2).sum(axis=1).mean())
    assert bp.MSE()(Y_hat, Y) == pytest.approx(3 * ((Y_hat - Y) ** 2).mean())


def test_check_gradients_needs_float64():
    rng = np.random.default_rng(0)
    X, y = bp.make_moons(10, noise=0.1, rng=rng)
    model = bp.Sequential(bp.Linear(2, 3, rng=rng, dtype=np.float32), bp.Tanh(),
                          bp.Linear(3, 2, rng=rng, dtype=np.float32))
    with pytest.raises(TypeError, match="float64"):
        bp.check_gradients(model, bp.SoftmaxCrossEntropy(), X, y)


def test_divergence_error_restores_and_carries_what_the_page_says():
    rng = np.random.default_rng(0)
    X, y = bp.make_line(50, slope=3.0, intercept=0.0, noise=0.1, x_range=(-10, 10), rng=rng)
    model = bp.Sequential(bp.Linear(1, 1, rng=rng))
    start = [p.data.copy() for p in model.parameters()]
    with pytest.raises(bp.DivergenceError) as caught:
        bp.fit(model, bp.MSE(), bp.GradientDescent(model.parameters(), lr=1.0), X, y, epochs=5)
    error = caught.value
    assert error.epoch >= 1 and error.lr == 1.0 and isinstance(error.history, bp.History)
    assert "smaller learning rate" in str(error)
    assert all(np.array_equal(a, p.data) for a, p in zip(start, model.parameters()))   # diverged at once


def test_import_bp_does_not_load_matplotlib():
    code = "import sys, bp; assert 'matplotlib' not in sys.modules and 'ipywidgets' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
