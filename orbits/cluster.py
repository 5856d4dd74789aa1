"""Running a prediction's jobs on a Dask cluster (``--scheduler ADDRESS``).

:func:`connect` reaches a running ``dask.distributed`` scheduler (started by
hand with ``dask scheduler`` and ``dask worker``, or by any deployment:
Kubernetes, HPC through dask-jobqueue, a cloud service) and gives an
executor factory for :class:`~orbits.passes.PassStream`.  The jobs are the
same as on one machine (a chunk of satellites over a time slice at one
site); the element sets are sent to the workers once, and each job is a
call of :func:`run_job`, a top-level function with picklable arguments.
Results come back in plan order, so the output is written exactly as the
local engine writes it.  A worker lost mid-run is Dask's to handle: the
scheduler runs its jobs again elsewhere, and as jobs are pure functions of
their arguments the output is the same.

Dask is optional (``pip install 'orbits[dask]'``); this module imports it
only when :func:`connect` is called, so nothing of it is loaded otherwise.
"""

from __future__ import annotations

from collections import deque

from .errors import OrbitsError

__all__ = ["connect", "DaskExecutor", "run_job"]


def run_job(elements, rows, job, keep, encoder):
    """A job on a Dask worker: :func:`orbits.passes.compute_job`."""
    from .passes import compute_job

    return compute_job(elements, rows, job, keep, encoder)


class Cluster:
    """A connected Dask client and what the plan needs to know of it:
    ``cores``, the worker threads in all.  Calling it makes a
    :class:`DaskExecutor` (the ``executor`` of
    :class:`~orbits.passes.PassStream`)."""

    def __init__(self, client, address):
        self.client, self.address = client, address

    @property
    def cores(self) -> int:
        info = self.client.scheduler_info()
        return max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))

    def __call__(self, elements, jobs, keep, encoder=None):
        return DaskExecutor(self, elements, jobs, keep, encoder)

    def close(self):
        self.client.close()


def connect(address: str, timeout_s: float = 10.0) -> Cluster:
    """A :class:`Cluster` at the scheduler ``address`` (``tcp://host:port``
    or ``host:port``); one-line :class:`~orbits.errors.OrbitsError` if Dask
    is not installed or the scheduler does not answer within ``timeout_s``."""
    try:
        from distributed import Client
    except ImportError:
        raise OrbitsError("--scheduler needs Dask: pip install 'orbits[dask]'") from None
    import logging

    # A refused connection is retried until the timeout, each retry logged:
    # the user gets one line instead.
    for name in ("distributed.comm.core", "distributed.client", "distributed.core"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    target = address if "://" in address else f"tcp://{address}"
    try:
        client = Client(target, timeout=f"{float(timeout_s)}s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise OrbitsError(
            f"cannot reach the Dask scheduler at {address} within {timeout_s:g} s ({reason})"
        ) from None
    cluster = Cluster(client, address)
    if not client.scheduler_info().get("workers"):
        client.close()
        raise OrbitsError(f"the Dask scheduler at {address} has no workers")
    return cluster


class DaskExecutor:
    """Runs a plan's jobs on the cluster and delivers their results unit by
    unit in plan order (as :class:`orbits.passes.Executor` does).

    Jobs are submitted ahead of the unit being delivered, enough to keep
    every core busy (at least two units, at least four jobs a core).
    Leaving the context cancels what is still running."""

    def __init__(self, cluster, elements, jobs, keep, encoder=None):
        self.cluster, self.jobs, self.keep, self.encoder = cluster, jobs, keep, encoder
        self.client = cluster.client
        self.elements = elements
        self._elements = None
        self._futures = []

    def __enter__(self):
        # Sent once; every worker keeps a copy, so losing one loses no data
        # (a worker lost while they are sent: sent again, to those left).
        for attempt in range(3):
            try:
                # one object (a list given as such would be scattered item by item:
                # a dependency per element set in every job)
                (self._elements,) = self.client.scatter([self.elements], broadcast=True, hash=False)
                break
            except OSError:  # distributed's CommClosedError is an OSError
                if attempt == 2:
                    raise
        return self

    def __exit__(self, kind, value, traceback):
        if self._futures:
            self.client.cancel(self._futures)
        if self._elements is not None:
            self.client.cancel([self._elements])
        self._futures = []

    def deliver(self, units: int):
        from .passes import WHOLE_WINDOW

        queue, pending = deque(self.jobs), {}
        want = 4 * self.cluster.cores
        in_flight = 0
        for u in range(units):
            while queue and (queue[0].unit <= u + 2 or in_flight < want):
                planned = queue.popleft()
                # whole-window passes are encoded after they are held (see PassStream.parts)
                encoder = self.encoder if planned.slice_index != WHOLE_WINDOW else None
                future = self.client.submit(
                    run_job, self._elements, planned.rows, planned.job, self.keep, encoder, pure=False
                )
                self._futures.append(future)
                pending.setdefault(planned.unit, []).append((planned, future))
                in_flight += 1
            started = pending.pop(u, [])
            in_flight -= len(started)
            yield u, self._results(started)

    def _results(self, started):
        for planned, future in started:
            outcome = future.result()
            self._futures.remove(future)
            future.release()
            yield planned, outcome
