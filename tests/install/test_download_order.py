"""The order a cold install validates its downloads in: the largest landed first."""

from __future__ import annotations

import threading
from concurrent.futures import Future

from px.ops.materialize import largest_done_first


def _futures(n: int) -> list[Future[str]]:
    return [Future() for _ in range(n)]


def test_of_those_landed_the_largest_comes_first() -> None:
    small, large, medium = futures = _futures(3)
    for future in futures:
        future.set_result("ok")
    sizes = {small: 10, large: 1_000, medium: 100}
    assert list(largest_done_first(sizes)) == [large, medium, small]


def test_ties_keep_the_given_order() -> None:
    first, second = futures = _futures(2)
    for future in futures:
        future.set_result("ok")
    assert list(largest_done_first({first: 5, second: 5})) == [first, second]


def test_one_still_arriving_waits_while_smaller_ones_that_landed_go_first() -> None:
    large, small = _futures(2)
    small.set_result("ok")
    order = largest_done_first({large: 1_000, small: 10})
    assert next(order) is small  # the large one has not landed: not waited for
    threading.Timer(0.05, large.set_result, args=("ok",)).start()
    assert next(order) is large  # then waited for
    assert list(order) == []


def test_a_failed_download_is_handed_over_like_the_others() -> None:
    failed, landed = _futures(2)
    failed.set_exception(OSError("connection reset"))
    landed.set_result("ok")
    got = list(largest_done_first({failed: 50, landed: 10}))
    assert got == [failed, landed]  # its error is raised where it is used
