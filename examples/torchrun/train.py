"""Data-parallel training with PyTorch on CPU (gloo backend) and synthetic data, for Berth process jobs.

Each replica joins the process group from the environment (env://): MASTER_ADDR, MASTER_PORT, RANK and
WORLD_SIZE, which the Berth agent sets for a multi-replica job, or which torchrun sets for the processes it
starts. Every replica trains on its own shard of a synthetic classification task; DistributedDataParallel
averages the gradients, so all replicas hold the same model. Rank 0 prints one BERTH_METRIC line per epoch,
which the agent forwards as the job's loss and accuracy curve.

With BERTH_CHECKPOINT_DIR set (the agent sets it: a directory shared by the job's replicas and attempts), rank 0 saves the model after every
epoch and a restarted attempt resumes from the last one.

Options: --epochs N (default 5), --batches N per epoch (default 20), --lr X (default 0.1).
"""
import argparse
import json
import os
import time

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

FEATURES = 32
CLASSES = 4
BATCH = 64


def synthetic_batch(generator, teacher):
    """Inputs drawn at random, labels from a fixed random 'teacher' network: a task the model can learn."""
    x = torch.randn(BATCH, FEATURES, generator=generator)
    with torch.no_grad():
        y = teacher(x).argmax(dim=1)
    return x, y


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--lr", type=float, default=0.1)
    args = parser.parse_args()

    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()

    torch.manual_seed(1234)  # same initial model and teacher on every replica
    teacher = torch.nn.Sequential(torch.nn.Linear(FEATURES, 16), torch.nn.Tanh(), torch.nn.Linear(16, CLASSES))
    model = torch.nn.Sequential(torch.nn.Linear(FEATURES, 64), torch.nn.ReLU(), torch.nn.Linear(64, CLASSES))
    ddp = DistributedDataParallel(model)
    optimizer = torch.optim.SGD(ddp.parameters(), lr=args.lr, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()

    checkpoint_dir = os.environ.get("BERTH_CHECKPOINT_DIR")
    checkpoint = os.path.join(checkpoint_dir, "torchrun-example.pt") if checkpoint_dir else None
    if checkpoint_dir:
        os.makedirs(checkpoint_dir, exist_ok=True)
    first_epoch = 1
    if checkpoint and os.path.exists(checkpoint):
        state = torch.load(checkpoint)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        first_epoch = state["epoch"] + 1
        if rank == 0:
            print(f"resuming after epoch {state['epoch']} from {checkpoint}", flush=True)

    print(f"rank {rank} of {world} joined via {os.environ.get('MASTER_ADDR')}:{os.environ.get('MASTER_PORT')}",
          flush=True)
    for epoch in range(first_epoch, args.epochs + 1):
        generator = torch.Generator().manual_seed(epoch * 1000 + rank)  # this replica's shard of the epoch
        totals = torch.zeros(3)  # loss sum, correct, samples
        started = time.monotonic()
        for _ in range(args.batches):
            x, y = synthetic_batch(generator, teacher)
            optimizer.zero_grad()
            out = ddp(x)
            loss = loss_fn(out, y)
            loss.backward()
            optimizer.step()
            totals += torch.tensor([loss.item() * len(y), (out.argmax(dim=1) == y).sum().item(), len(y)])
        rate = totals[2].item() / max(time.monotonic() - started, 1e-9)
        dist.all_reduce(totals)  # the whole job's epoch, over every replica's shard
        if rank == 0:
            metric = {"epoch": epoch, "loss": round(totals[0].item() / totals[2].item(), 6),
                      "accuracy": round(totals[1].item() / totals[2].item(), 6), "samplesPerSecond": round(rate, 1)}
            print("BERTH_METRIC " + json.dumps(metric), flush=True)
            if checkpoint:
                torch.save({"epoch": epoch, "model": model.state_dict(), "optimizer": optimizer.state_dict()},
                           checkpoint + ".tmp")
                os.replace(checkpoint + ".tmp", checkpoint)

    # DDP keeps replicas identical; a difference here would mean the gradients were not averaged
    flat = torch.cat([p.detach().flatten() for p in model.parameters()])
    spread = flat.clone()
    dist.all_reduce(spread, op=dist.ReduceOp.MAX)
    in_sync = torch.equal(spread, flat)
    print(f"rank {rank} done: world_size={world} parameters_in_sync={in_sync}", flush=True)
    dist.destroy_process_group()
    if not in_sync:
        raise SystemExit(3)


if __name__ == "__main__":
    main()
