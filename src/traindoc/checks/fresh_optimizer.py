"""An optimizer that starts afresh at every step: created inside the training loop, or its state cleared.

``opt = torch.optim.Adam(model.parameters())`` written inside the batch loop gives every step a
new optimizer whose state is empty: Adam's first step moves each weight by about lr times the sign
of its gradient, momentum never builds, and the loss falls at first, then stalls well above what
the same model reaches. The symptoms (a stall, large updates) point at the learning rate; the
state says what happened. After an optimizer step the state of one watched parameter tells its
age: Adam-family optimizers count their steps, SGD with momentum keeps a buffer that equals the
gradient only on its first step. A global optimizer step hook (armed by the watcher only around
sampled steps, so an optimizer created after ``watch()`` is seen too) reads it; nothing is written.
"""

from __future__ import annotations

from typing import Any, Callable

import torch

from ..findings import Finding, Severity

MIN_FRESH = 3  # sampled steps, all fresh, before the optimizer is named
MIN_RESETS = 3  # times the state's age fell back before periodic re-creation is named
MAX_SEEN = 64  # observations at most (SGD's buffer comparison waits for the device)


def state_age(opt: Any, param: torch.Tensor) -> int | None:
    """How many steps ``opt`` has taken on ``param``, read after one of its steps (None: cannot tell)."""
    st = opt.state.get(param) if hasattr(opt.state, "get") else None
    if not st:
        return None  # not this optimizer's parameter, or an optimizer that keeps no state (plain SGD)
    if "step" in st:
        s = st["step"]
        return int(float(s.detach().reshape(-1)[0])) if isinstance(s, torch.Tensor) else int(s)
    buf = st.get("momentum_buffer")
    group = next((g for g in opt.param_groups if any(p is param for p in g.get("params", []))), None)
    if not isinstance(buf, torch.Tensor) or group is None or param.grad is None:
        return None
    if group.get("maximize", False) or group.get("nesterov", False) or not group.get("momentum", 0):
        return None  # the buffer's first value is then not the (decayed) gradient itself
    wd = float(group.get("weight_decay", 0) or 0)
    if not wd:
        return 1 if torch.equal(buf, param.grad) else 2  # later buffers mix in the old one
    # With weight decay the first buffer is grad + wd * (the weight before the step = weight + lr * buffer).
    first = param.grad + wd * (param.detach() + float(group["lr"]) * buf)
    return 1 if torch.allclose(buf, first, rtol=1e-4, atol=1e-7) else 2


class FreshOptimizer:
    """Reads the age of one parameter's optimizer state after sampled steps: always one step old (a new
    optimizer every step), or falling back to one again and again (a new optimizer every epoch)."""

    def __init__(self, model: torch.nn.Module, watch_step: Callable[[], int],
                 on_found: Callable[[Finding], None]) -> None:
        self.param = next((p for p in model.parameters() if p.requires_grad), None)
        self.model_params = {id(p) for p in model.parameters()}
        self.watch_step = watch_step
        self.on_found = on_found
        self.fresh = 0  # observations of a one-step-old state
        self.old = 0  # observations of an older one
        self.resets = 0  # an age lower than the one before: the state was thrown away in between
        self.last_age = 0
        self.oldest = 0
        self.seen = 0
        self.objects = 0  # distinct optimizer objects seen in turn (ids are reused after garbage collection)
        self.last_opt: Any = None  # a weak reference to the last one
        self.off = self.param is None
        self.handle: Any = None
        self.found: Finding | None = None

    def arm(self, wrap: Callable[[Callable], Callable]) -> None:
        if self.handle is None and not self.off:
            from torch.optim.optimizer import register_optimizer_step_post_hook

            self.handle = register_optimizer_step_post_hook(wrap(self._after_step))

    def _param_of(self, opt: Any) -> Any:
        """The watched parameter, or (an optimizer over part of the model) the first model parameter it holds."""
        state = getattr(opt, "state", None)
        if not hasattr(state, "get") or state.get(self.param):
            return self.param
        for group in getattr(opt, "param_groups", [])[:1]:
            for p in group.get("params", []):
                if id(p) in self.model_params and state.get(p):
                    self.param = p  # kept: a recreated optimizer holds the same parameter objects
                    return p
        return self.param

    def disarm(self) -> None:
        if self.handle is not None:
            self.handle.remove()
            self.handle = None

    def _after_step(self, opt: Any, args: Any, kwargs: Any) -> None:
        if self.off or self.found is not None:
            return
        age = state_age(opt, self._param_of(opt))
        if age is None or self.watch_step() < 1:
            return  # no state to read, or the run's first optimizer step (every optimizer is fresh there)
        self.seen += 1
        if self.last_opt is None or self.last_opt() is not opt:
            import weakref

            self.objects += 1
            self.last_opt = weakref.ref(opt)
        self.resets += age < self.last_age
        self.last_age = age
        self.oldest = max(self.oldest, age)
        if age > 1:
            self.old += 1
        else:
            self.fresh += 1
        name, step = type(opt).__name__, float(self.watch_step() + 1)
        if self.fresh >= MIN_FRESH and not self.old:
            self.found = fresh_optimizer_finding(name, self.fresh, self.objects, step)
        elif self.resets >= MIN_RESETS:
            self.found = reset_optimizer_finding(name, self.resets, self.oldest, self.objects, step)
        elif self.seen >= MAX_SEEN:
            self.off = True  # enough seen: the state carries over, the optimizer lives across the run
        if self.found is not None:
            self.on_found(self.found)
        if self.off or self.found is not None:
            self.disarm()


def fresh_optimizer_finding(name: str, fresh: int, objects: int, step: float) -> Finding:
    from .structure import CAUSE

    how = (f"a new {name} object at each of {fresh} sampled steps" if objects > 1 else
           f"the {name}'s state is emptied before each step ({fresh} sampled steps, each its first)")
    return Finding(
        "update-ratio", Severity.WARNING,
        f"the optimizer starts afresh at every step: {how}",
        steps=[step], evidence={"subject": "optimizer-state", CAUSE: True, "fresh_steps": fresh,
                                "optimizer_objects": objects, "optimizer": name},
        causes=[f"the optimizer is created inside the training loop (or its state is reset each step): {name}'s "
                "running averages and step count never outlive one update, so every step is a first step (Adam: "
                "about lr x sign(gradient) for every weight; momentum never builds) and the loss stalls above "
                "what the model can reach"],
        fixes=["Create the optimizer once, before the training loop, and reuse it for every step (build a new "
               "one only when the parameters it trains change)."])


def reset_optimizer_finding(name: str, resets: int, oldest: int, objects: int, step: float) -> Finding:
    from .structure import CAUSE

    how = f"{resets} times a new {name} object" if objects > 1 else f"{resets} times"
    return Finding(
        "update-ratio", Severity.WARNING,
        f"the optimizer's state is thrown away again and again: its age fell back to one step {how} (it "
        f"reached {oldest} step(s) at most)",
        steps=[step], evidence={"subject": "optimizer-state", CAUSE: True, "resets": resets, "oldest": oldest,
                                "optimizer_objects": objects, "optimizer": name},
        causes=[f"the optimizer is created inside the epoch loop (or its state is reset periodically): each new "
                f"{name} restarts its running averages and step count, so the first updates after every restart "
                "are full-size (Adam: about lr x sign(gradient)) and the loss jumps at each one"],
        fixes=["Create the optimizer once, before the training loop, and reuse it for every epoch (build a new "
               "one only when the parameters it trains change)."])
