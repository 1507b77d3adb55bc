"""Install plans: found by their key, and only the newest are kept."""

from __future__ import annotations

from pathlib import Path

from px.store import install_plans, open_store


def test_plans_are_recalled_by_key_and_the_oldest_go(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(install_plans, "KEPT", 3)
    with open_store(tmp_path / "store") as store:
        for n in range(5):
            install_plans.remember(store, f"key-{n}", f'{{"n": {n}}}')
        install_plans.remember(store, "key-1", '{"n": "again"}')  # refreshed: now the newest
        with store.read() as conn:
            kept = {k for (k,) in conn.execute("SELECT key FROM install_plans")}
    store_file = str(tmp_path / "store" / "store.db")
    assert kept == {"key-1", "key-3", "key-4"}
    assert install_plans.recall(store_file, "key-1") == '{"n": "again"}'
    assert install_plans.recall(store_file, "key-0") is None
    assert install_plans.recall(str(tmp_path / "nowhere.db"), "key-1") is None  # no store: no plan


def test_the_key_changes_with_every_input() -> None:
    base = install_plans.plan_key(b"p", b"l", "sel", "", {})
    assert (
        len(
            {
                base,
                install_plans.plan_key(b"p2", b"l", "sel", "", {}),
                install_plans.plan_key(b"p", b"l2", "sel", "", {}),
                install_plans.plan_key(b"p", b"l", "sel2", "", {}),
                install_plans.plan_key(b"p", b"l", "sel", "3.12", {}),
                install_plans.plan_key(b"p", b"l", "sel", "", {"PX_INDEX_URL": "http://x/"}),
                install_plans.plan_key(b"p", b"l", "sel", "", {"PATH": "/bin"}),
            }
        )
        == 7
    )
    assert install_plans.plan_key(b"p", b"l", "sel", "", {"UNRELATED": "1"}) == base


def test_lock_contexts_keep_the_newest_too(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from px.store import lock_contexts

    monkeypatch.setattr(lock_contexts, "KEPT", 2)
    with open_store(tmp_path / "store") as store:
        for n in range(4):
            context = lock_contexts.Context(f"digest-{n}", "cp311", "sha", n, None)
            lock_contexts.remember(store, f"key-{n}", context)
        with store.read() as conn:
            kept = {k for (k,) in conn.execute("SELECT key FROM lock_contexts")}
    assert kept == {"key-2", "key-3"}
