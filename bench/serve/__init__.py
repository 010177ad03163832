"""bench/serve: the web server under load.

* :mod:`bench.serve.server`: a demo register and a real ``marksearch serve``
  subprocess on loopback (also used by ``tests/e2e`` and
  ``scripts/screenshots.py``);
* :mod:`bench.serve.run`: the load run with wrk and its table in
  ``docs/benchmarks.md``.
"""
