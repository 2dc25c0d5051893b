"""The SimPy 2.3 anchor of `tunnelsim bench --suite anchors`: an M/M/1 queue, lambda = 0.9, mu = 1,
N customers (argv[1]), in SimPy.Simulation's process style (Debian's python3-simpy).

It is the same model as scenarios/mm1.yaml: Poisson arrivals, one server, exponential service,
FIFO. It prints one JSON line: customers, the mean wait in queue (the closed form is
rho / (mu - lambda) = 9 s, so both tools can be checked against theory), and its own run time.
"""
import json
import random
import sys
import time

from SimPy.Simulation import Process, Resource, Tally, activate, hold, initialize, now, release, request, simulate

LAMBDA = 0.9
MU = 1.0


class Customer(Process):
    def visit(self, server, waits):
        arrived = now()
        yield request, self, server
        waits.observe(now() - arrived)
        yield hold, self, random.expovariate(MU)
        yield release, self, server


class Source(Process):
    def generate(self, n, server, waits):
        for _ in range(n):
            c = Customer()
            activate(c, c.visit(server, waits))
            yield hold, self, random.expovariate(LAMBDA)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    random.seed(42)
    started = time.perf_counter()
    initialize()
    server = Resource(capacity=1)
    waits = Tally()
    source = Source()
    activate(source, source.generate(n, server, waits))
    simulate(until=1e12)
    print(json.dumps({"customers": waits.count(), "meanWait": waits.mean(), "seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
