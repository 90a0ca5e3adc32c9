#!/usr/bin/env python3
"""The game of Catch played from Python by a committed agent, at batch 1.

usage: catch.py [MODEL] [--eval GAMES] [--seed S]

The rules, the random numbers (nrand48, reimplemented below) and the calls
are those of examples/catch.c, so that the same --seed plays the same games
and the agent makes the same choices as in C: the catch rates printed here
equal those of `examples/catch --eval GAMES MODEL`. A 24x24 screen; the ball
starts on row 0 at a random column and falls a row per frame, moving
sideways by +-1/3, +-2/3 or +-1 pixel per frame, bouncing off the walls; the
2-pixel paddle on the bottom row moves left, stays or moves right (actions
0, 1, 2) before the ball moves; a game is 23 frames, and a catch is the
ball on the bottom row above the paddle. The agent sees the screen as
float32 pixels of 0 or 64 (the gain models/catch.ram was trained with).

It prints the catch rate of random actions, the agent sampling its actions,
and the agent acting greedily, and the time per agent step.
"""
import argparse
import os
import sys
import time
from typing import List, Optional

import numpy as np

import ram

SIZE, FRAMES, XMAX, GAIN = 24, 23, 69, 64.0


class Rand48:
    """POSIX nrand48() on a 48-bit state, as the C example draws."""

    def __init__(self, xsubi: List[int]) -> None:
        self.x = xsubi[0] | xsubi[1] << 16 | xsubi[2] << 32

    def next(self) -> int:
        self.x = (0x5DEECE66D * self.x + 0xB) & (2 ** 48 - 1)
        return self.x >> 17


def play(agent: Optional[ram.Agent], greedy: bool, games: Rand48, actions: Rand48,
         screen: "np.ndarray[tuple[int, int, int], np.dtype[np.float32]]", timing: List[float]) -> bool:
    x = 3 * (games.next() % SIZE)
    y = 0
    vx = (-3, -2, -1, 1, 2, 3)[games.next() % 6]
    paddle = games.next() % (SIZE - 1)
    if agent is not None:
        agent.begin(1, greedy_action=greedy, greedy_location=greedy)
    caught = False
    for _ in range(FRAMES):
        action = actions.next() % 3
        if agent is not None:
            screen.fill(0.0)
            screen[0, y, (x + 1) // 3] = GAIN
            screen[0, SIZE - 1, paddle:paddle + 2] = GAIN
            t0 = time.perf_counter()
            step = agent.step(screen, probs=False)
            timing.append(time.perf_counter() - t0)
            assert step.actions is not None
            action = int(step.actions[0])
        paddle = min(max(paddle + action - 1, 0), SIZE - 2)
        x += vx
        if x < 0 or x > XMAX:
            x = -x if x < 0 else 2 * XMAX - x
            vx = -vx
        y += 1
        col = (x + 1) // 3
        caught = y == SIZE - 1 and col in (paddle, paddle + 1)
    if agent is not None:
        agent.end()
    return caught


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", nargs="?", default="models/catch.ram")
    ap.add_argument("--eval", type=int, default=1000, help="games per policy (1000)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if "OPENBLAS_NUM_THREADS" not in os.environ:
        print("note: set OPENBLAS_NUM_THREADS=1 for a control loop at batch 1 "
              "(docs/agent.md)", file=sys.stderr)
    agent = ram.Agent.load(args.model, inference=True)
    if agent.config("actions") != 3 or agent.mode != ram.ActionMode.CONTROL:
        sys.exit("%s is not a Catch agent (3 actions, control mode)" % args.model)
    print("loaded %s" % args.model)
    screen = np.zeros((1, SIZE, SIZE), np.float32)
    seed = args.seed & 0xFFFF
    timing: List[float] = []
    policies = [("random actions", None, False), ("agent, sampled", agent, False),
                ("agent, greedy", agent, True)]
    for name, who, greedy in policies:
        games, acts = Rand48([0x330E, seed, 3]), Rand48([0x330E, seed, 4])
        agent.seed(args.seed)
        caught = sum(play(who, greedy, games, acts, screen, timing) for _ in range(args.eval))
        print("%-15s %5.1f%% caught of %d games" % (name, 100.0 * caught / args.eval, args.eval))
    t = np.array(timing) * 1e6
    print("agent.step: median %.1f us, mean %.1f us over %d steps (batch 1, %s)"
          % (np.median(t), t.mean(), len(t), ram.library_path))
    agent.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
