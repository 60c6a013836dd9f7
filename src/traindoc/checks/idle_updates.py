"""Optimizer steps that move no weight although backward computed gradients, read from the watcher's samples.

At each sampled step the watcher has the gradient norm (``grad_norm``), the change the optimizer step
made to each layer (``update_ratio/<layer>``: absent when ``step()`` was not called there) and three
flags on one small parameter (``step_grad/backward``: backward gave it a non-zero gradient that a
``step()`` then took; ``step_grad/unstepped``: one that no ``step()`` took; ``step_grad/before`` /
``after``: its ``.grad`` was non-zero when ``step()`` began / ended). From these:

* the gradient is non-zero after backward but zero when the step uses it (``clip_grad_norm_`` with
  ``max_norm=0``, a ``zero_grad`` between backward and step): nothing can move;
* the weights moved at the first step and never after (a hand-written update looping over a stored
  ``model.parameters()`` generator, used up by its first pass);
* the weights move at only a few sampled steps although every step computed fresh gradients
  (``optimizer.step()`` after the batch loop: once per epoch, with the last batch's gradient);
* a built-in torch optimizer's ``step()`` ran at the sampled steps with fresh gradients and a non-zero rate, yet
  the weights after it equal those before (at every sampled step after the first or two): a built-in step always
  moves such weights, so something that runs after it writes them back (a step hook or callback copying an
  average or "best" weights into the model, a ``load_state_dict`` each step);
* the weights move at some steps while the gradients are carried over the others: gradient
  accumulation, which is fine (``grad-not-zeroed`` must not be said), unless the loss climbs above
  its start, when the accumulated sum is the likely cause (the loss was not divided by the steps).

Each is judged once at the end of the run, only where the loss confirms it (it did not fall much), so
a healthy run never sees it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..findings import Finding, Severity
from .loss_progress import loss_fell
from .structure import CAUSE

MIN_SAMPLES = 6  # sampled steps with a gradient before anything is said
IDLE_SHARE = 0.75  # of those, the share at which the weights did not move
ACCUM_SHARE = 0.25  # idle share that, with gradients carried over, reads as accumulation
MAX_FALL = 0.3  # the loss fell by at most this fraction of its start over the run
CLIMB = 1.5  # a later eighth of the run this far above the first: the loss climbed (a warm-up bump does not)
SUBJECT_TEXT = {
    "zeroed-gradients": "the gradients are zeroed before the update uses them",
    "idle-optimizer": "optimizer.step() stopped moving the weights",
    "rare-updates": "the weights change at only a few of the steps",
    "accumulated-sum": "gradient accumulation adds the micro-batches' gradients without dividing",
    "undone-updates": "the weights are written back after every optimizer step",
}


@dataclass
class Sample:
    step: float
    grad: float  # total gradient norm (0.0: none)
    update: float | None  # the largest layer update ratio; None: step() was not called
    lr: float | None


def samples(series: dict, names: list[str]) -> list[Sample]:
    """One Sample per sampled step that has a gradient norm."""
    g = series.get("grad_norm")
    if g is None:
        return []
    upd: dict[float, float] = {}
    for n in names:
        s = series.get(f"update_ratio/{n}")
        if s is None:
            continue
        for st, v in zip(s.steps, s.values):
            upd[st] = max(upd.get(st, 0.0), float(v) if v == v else 0.0)
    lr_s = series.get("lr")
    lrs = dict(zip(lr_s.steps, lr_s.values)) if lr_s is not None else {}
    return [Sample(float(st), float(v), upd.get(st), lrs.get(st)) for st, v in zip(g.steps, g.values)]


def _idle(s: Sample, fresh: dict[float, float]) -> bool:
    """The weights did not move at this step although backward gave fresh gradients (a GAN's generator
    left alone at a critic step has gradients from earlier, not fresh ones: not idle)."""
    return s.grad > 0 and not s.update and s.lr != 0.0 and fresh.get(s.step, 0.0) > 0


def _fresh(series: dict) -> dict[float, float]:
    """Sampled steps at which backward gave the watched parameter a non-zero gradient, stepped or not."""
    return {**_flags(series, "backward"), **_flags(series, "unstepped")}


def accumulating(series: dict, names: list[str]) -> bool:
    """Whether the weights stay put at a good share of sampled steps: with carried-over gradients, accumulation."""
    got = [s for s in samples(series, names) if s.step > 1 and s.grad > 0]
    fresh = _fresh(series)
    idle = sum(_idle(s, fresh) for s in got)
    return idle >= 2 and idle >= ACCUM_SHARE * len(got)


def _flags(series: dict, name: str) -> dict[float, float]:
    s = series.get(f"step_grad/{name}")
    return dict(zip(s.steps, s.values)) if s is not None else {}


def _rose(losses: list[float]) -> bool:
    """Whether some later stretch of the run sits above the loss's start (an unstable run)."""
    k = max(1, len(losses) // 8)
    windows = [sum(losses[i:i + k]) / len(losses[i:i + k]) for i in range(0, len(losses), k)]
    return len(windows) >= 4 and max(windows[1:]) > CLIMB * windows[0]


def idle_finding(series: dict, names: list[str], losses: list[float], stale: int, step: float,
                 builtin: bool = False) -> Finding | None:
    """The idle-update finding for a run, or None (see the module doc). ``builtin``: the optimizer's ``step()`` is
    torch.optim's own (not overridden), so it moves every weight that has a gradient and a non-zero rate."""
    got = [s for s in samples(series, names) if s.lr != 0.0]
    finite = [v for v in losses if v == v and abs(v) != float("inf")]
    if len(got) < MIN_SAMPLES or len(finite) < 20:
        return None
    if stale >= 2:
        if accumulating(series, names) and _rose(finite):
            return _finding("accumulated-sum", Severity.WARNING, step, {}, [
                "With gradient accumulation each backward() adds its micro-batch's gradient to .grad; when every "
                "micro-batch's mean loss is back-propagated as is, the update is the sum of the accumulation steps' "
                "gradients: k times the step the learning rate was chosen for, and the loss climbs above its start."],
                ["Divide the loss by the number of accumulation steps before backward() (loss = loss / "
                 "accumulation_steps), so the accumulated gradient is their average; or lower the learning rate by "
                 "that factor."],
                "gradients are accumulated over several steps and the loss climbs above its start: each update is "
                "the sum of the micro-batches' gradients, not their average")
        return None
    if loss_fell(finite) > MAX_FALL:
        return None  # the loss fell: whatever the samples show, the weights do move
    back, before, after = _flags(series, "backward"), _flags(series, "before"), _flags(series, "after")
    zeroed_before = [st for st, v in back.items() if v > 0 and before.get(st) == 0.0]
    zeroed_in = [st for st, v in before.items() if v > 0 and after.get(st) == 0.0]
    n = len(got)
    if max(len(zeroed_before), len(zeroed_in)) >= IDLE_SHARE * max(len(before), 1) and len(before) >= MIN_SAMPLES:
        where = "when optimizer.step() began" if len(zeroed_before) >= len(zeroed_in) else "by optimizer.step() itself"
        return _finding("zeroed-gradients", Severity.ERROR, step, {"samples": len(before)}, [
            "backward() computed non-zero gradients, but they were all zero " + where + ": "
            "torch.nn.utils.clip_grad_norm_(..., max_norm=0) scales every gradient to zero (a config value 0 meant "
            "as 'no clipping'), or zero_grad(set_to_none=False) runs between backward() and step()."],
            ["Skip the clip_grad_norm_ call when max_grad_norm is 0 (or clip at a positive norm such as 1.0).",
             "Call optimizer.zero_grad() before loss.backward(), never between backward() and step()."],
            f"every gradient is zero when the update is applied ({max(len(zeroed_before), len(zeroed_in))} of "
            f"{len(before)} sampled steps), although backward computed them: no weight can move")
    with_grad = [s for s in got if s.grad > 0]
    fresh = _fresh(series)
    idle = [s for s in with_grad if _idle(s, fresh)]
    if len(with_grad) < MIN_SAMPLES or len(idle) < IDLE_SHARE * len(with_grad):
        return None
    moved = [s for s in with_grad if s.update]
    called = [s for s in with_grad if s.update is not None]
    ev = {"samples": len(with_grad), "idle": len(idle), "moved_at": [s.step for s in moved][:10]}
    if builtin and len(called) >= IDLE_SHARE * len(with_grad) and all(s.step <= 2 for s in moved):
        return _finding("undone-updates", Severity.ERROR, step, ev, [
            "Something that runs after optimizer.step() writes the weights back: a step hook or callback that "
            "copies an exponential moving average (with decay 1, or 0.9999, it hardly moves) or the 'best' "
            "weights into the model after each step (a restore whose comparison is inverted runs every time), or a "
            "load_state_dict / copy_ of saved weights inside the loop.",
            "Every parameter group's learning rate is 0 at these steps (the rate the watcher records is the first "
            "group's)."],
            ["Find what overwrites the weights after optimizer.step() and stop it: keep an EMA or best weights "
             "aside (evaluate or save with them), never copy them into the model being trained; check the "
             "comparison of a 'restore best' rule.",
             "Check every param_group's lr (optimizer.param_groups) is above 0."],
            f"optimizer.step() ran at {len(called)} of {len(with_grad)} sampled steps with fresh gradients and a "
            "non-zero rate, yet the weights after it equal those before"
            + (f" (they moved only at step {int(moved[0].step)})" if moved else ""))
    if moved and all(s.step <= 2 for s in moved) and len(called) >= MIN_SAMPLES:
        return _finding("idle-optimizer", Severity.ERROR, step, ev, [
            "optimizer.step() runs at every step but changes nothing after the first: a hand-written update "
            "(for p in params: p -= lr * p.grad) loops over params = model.parameters(), a generator that its "
            "first pass used up, so every later pass loops over nothing (or a custom step() that skips the "
            "parameters)."],
            ["Store the parameters as a list: params = list(model.parameters()) (or call model.parameters() "
             "afresh each step, or use torch.optim.SGD)."],
            f"the weights moved at step {int(moved[0].step)} and at none of the {len(idle)} later sampled steps, "
            "although every step computed gradients and called optimizer.step()")
    how = ("optimizer.step() was not called at most of them" if len(called) < len(with_grad) / 2 else
           "optimizer.step() left the weights unchanged at most of them")
    never = [] if moved or called else [
        "optimizer.step() is never called at these steps (left out of the loop, or scheduler.step() called in its "
        "place), so no weight ever changes."]
    return _finding("rare-updates", Severity.ERROR, step, ev, never + [
        "optimizer.step() sits outside the batch loop (indented after it), so it runs once per epoch with the last "
        "batch's gradient: zero_grad() and backward() throw every other batch's gradient away; or step() is "
        "guarded by a condition that rarely holds (a wrong `if i % k == 0`)."],
        ["Call optimizer.step() inside the batch loop, right after loss.backward(), once per batch (zero_grad(), "
         "forward, backward, step)."],
        f"the weights changed at only {len(moved)} of {len(with_grad)} sampled steps although each computed fresh "
        f"gradients ({how})")


def _finding(subject: str, sev: Severity, step: float, ev: dict, causes: list[str], fixes: list[str],
             title: str) -> Finding:
    return Finding("update-ratio", sev, title, steps=[step],
                   evidence={"subject": subject, CAUSE: True, **ev}, causes=causes, fixes=fixes)
