"""Combining probe statistics across data-parallel ranks with as few collectives as possible.

One read-back batch is one flat vector. Ranks first agree that their vectors line up (one
small MAX all-reduce of [length, -length]); then one SUM all-reduce averages the statistics
and, in a tail of ``world_size`` slots, tells every rank which ranks saw a non-finite loss
and at which step (each rank writes only its own slot).
"""

from __future__ import annotations

import torch


def dist_info() -> tuple[int, int]:
    """(rank, world size); (0, 1) outside torch.distributed."""
    try:
        import torch.distributed as dist

        if dist.is_available() and dist.is_initialized():
            return dist.get_rank(), dist.get_world_size()
    except Exception:
        pass
    return 0, 1


def combine(flat: torch.Tensor, first_bad_step: float, rank: int, world: int) -> tuple[torch.Tensor, list[float]]:
    """Mean of ``flat`` across ranks and, per rank, its first non-finite loss step (0 = none)."""
    import torch.distributed as dist

    device = flat.device
    if dist.get_backend() == "nccl" and device.type != "cuda":
        device = torch.device("cuda", torch.cuda.current_device())
    n = torch.tensor([float(flat.numel()), -float(flat.numel())], device=device)
    dist.all_reduce(n, op=dist.ReduceOp.MAX)
    tail = torch.zeros(world, device=device)
    tail[rank] = float(first_bad_step)
    if int(n[0]) != flat.numel() or int(-n[1]) != flat.numel():
        # Shapes differ between ranks (uneven batches, unused branches): share only the flags.
        dist.all_reduce(tail, op=dist.ReduceOp.SUM)
        return flat, tail.tolist()
    buf = torch.cat([flat.to(device), tail])
    dist.all_reduce(buf, op=dist.ReduceOp.SUM)
    return (buf[:-world] / world).to(flat.device), buf[-world:].tolist()
