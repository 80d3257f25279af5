"""Fitting a conversation into the model's window (``context_fit``): what is kept, what goes, in which order.

Pure: OpenAI-format messages in, fitted messages out, with a simple documented counter (one token per 4
characters of content and tool-call text, plus 4 per message), so every expected number below follows
from the sizes the tests build.
"""

from __future__ import annotations

from typing import Any

import pytest

from director_litellm._context_fit import KEEP_HEAD, KEEP_TAIL, SHORTEN_ABOVE, ContextFit, fit, shortened
from director_litellm._errors import ContextWindowError, InvalidInputError


def count(message: dict[str, Any]) -> int:
    text = message.get("content") or ""
    for call in message.get("tool_calls") or ():
        text += call["function"]["name"] + call["function"]["arguments"]
    return len(text) // 4 + 4


def call(call_id: str, name: str = "search") -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": '{"q": "x"}'}}


def turn(t: int, result_chars: int = 400, ids: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """One Director turn: user, assistant tool call(s), their results, the answer."""
    ids = ids or (f"call_{t}",)
    return [
        {"role": "user", "content": f"request {t}"},
        {"role": "assistant", "content": None, "tool_calls": [call(i) for i in ids]},
        *({"role": "tool", "tool_call_id": i, "content": f"<{t}:{i}>" + "x" * result_chars} for i in ids),
        {"role": "assistant", "content": f"answer {t}"},
    ]


def session(turns: int, result_chars: int = 400) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [{"role": "system", "content": "You are Director." * 10}]
    for t in range(turns):
        messages += turn(t, result_chars)
    return messages


def fitted(messages: list[dict[str, Any]], window: int, **kw: Any) -> tuple[list[dict[str, Any]], ContextFit | None]:
    return fit(
        messages, window=window, max_tokens=kw.pop("max_tokens", 100), tools_tokens=kw.pop("tools", 0), count=count
    )


def pairs_whole(messages: list[dict[str, Any]]) -> None:
    """Every tool result follows its call's assistant message, and every call has its result."""
    open_ids: set[str] = set()
    for m in messages:
        if m["role"] == "tool":
            assert m["tool_call_id"] in open_ids, f"orphan result {m['tool_call_id']}"
            open_ids.discard(m["tool_call_id"])
        else:
            assert not open_ids, f"unanswered calls {open_ids}"
        open_ids |= {c["id"] for c in m.get("tool_calls") or ()}
    assert not open_ids


class TestNothingToDo:
    def test_under_the_trigger_the_same_list_comes_back(self) -> None:
        """Below 90 % of the budget nothing is counted or changed: the very same list, no report."""
        messages = session(3)
        assert fitted(messages, window=100_000) == (messages, None)

    def test_a_short_conversation_is_not_counted(self) -> None:
        """Text short enough to be under the trigger by its length alone never reaches the counter."""

        def refuse(message: dict[str, Any]) -> int:
            raise AssertionError("counted")

        messages = session(2)
        assert fit(messages, window=100_000, max_tokens=100, tools_tokens=0, count=refuse) == (messages, None)

    def test_counted_but_under_the_trigger(self) -> None:
        """Text whose length says nothing but whose count is under the trigger: unchanged."""
        messages = session(4)  # ~140 tokens per turn by ``count``, ~600 characters
        total = sum(count(m) for m in messages)
        window = 100 + int(total / 0.9) + 2  # just above the trigger
        assert fitted(messages, window=window) == (messages, None)


class TestWhatIsKept:
    def test_system_messages_and_the_current_run_stay_whole(self) -> None:
        """System messages anywhere and everything from the last user message on arrive unchanged."""
        messages = session(30, result_chars=6000)
        messages.insert(9, {"role": "system", "content": "a reminder in the middle"})
        run = turn(30, result_chars=6000)[:3]  # user, call, result: the run in progress
        messages += run
        out, report = fitted(messages, window=9000)
        assert report is not None
        assert report.messages_dropped > 0
        assert [m for m in out if m["role"] == "system"] == [m for m in messages if m["role"] == "system"]
        assert out[-3:] == run  # the run's 6,000-character result is not shortened
        pairs_whole(out)

    def test_pairs_with_parallel_calls_and_opaque_ids_are_never_split(self) -> None:
        """An assistant message with several calls and all their results go or stay together; ids are opaque."""
        ids = ("toolu_01__thought__c2lnbmF0dXJl", "call|with|pipes", "9charsABC")
        messages = [{"role": "system", "content": "s"}]
        for t in range(40):
            messages += turn(t, result_chars=900, ids=tuple(f"{i}-{t}" for i in ids))
        for window in range(1500, 6000, 250):
            out, _ = fitted(messages, window=window)
            pairs_whole(out)
            assert out[0]["role"] == "system"  # whole turns go
            assert out[1]["role"] == "user"

    def test_oldest_turns_go_first(self) -> None:
        """What is dropped is a run of the oldest turns; the kept ones are the newest, in order."""
        messages = session(50)
        out, report = fitted(messages, window=3000)
        assert report is not None
        kept_users = [m["content"] for m in out if m["role"] == "user"]
        assert kept_users == [f"request {t}" for t in range(50 - len(kept_users), 50)]
        assert report.messages_dropped == len(messages) - len(out)

    def test_budget_reserves_the_answer_and_the_tools(self) -> None:
        """The kept conversation fits window - max_tokens - tool schemas, by the given counter."""
        messages = session(60)
        for max_tokens, tools in ((100, 0), (1000, 0), (100, 1500)):
            out, report = fitted(messages, window=5000, max_tokens=max_tokens, tools=tools)
            assert report is not None
            assert sum(count(m) for m in out) <= 0.9 * (5000 - max_tokens - tools)
            assert report.tokens_after == sum(count(m) for m in out) + tools
            assert report.tokens_before == sum(count(m) for m in messages) + tools


class TestShortening:
    def test_old_large_tool_results_are_shortened_before_any_turn_is_dropped(self) -> None:
        """Old long results keep head and tail, with a marker saying how much was cut; nothing is dropped."""
        messages = session(6, result_chars=20_000)
        total = sum(count(m) for m in messages)
        out, report = fitted(messages, window=int(total * 0.75) + 100)
        assert report is not None
        assert report.messages_dropped == 0
        assert report.tool_results_shortened > 0
        long_before = [m for m in messages if m["role"] == "tool"]
        long_after = [m for m in out if m["role"] == "tool"]
        cut = [(b, a) for b, a in zip(long_before, long_after, strict=True) if a["content"] != b["content"]]
        assert len(cut) == report.tool_results_shortened
        assert long_after[-1] == long_before[-1]  # the newest turn's result is shortened last, not here
        for before, after in cut:
            text = before["content"]
            assert after["content"].startswith(text[:KEEP_HEAD])
            assert after["content"].endswith(text[-KEEP_TAIL:])
            assert f"{len(text) - KEEP_HEAD - KEEP_TAIL:,} of {len(text):,} characters cut" in after["content"]
            assert after["tool_call_id"] == before["tool_call_id"]

    def test_the_oldest_results_are_shortened_first(self) -> None:
        """Shortening goes from the oldest result on and stops once the target is met."""
        messages = session(10, result_chars=20_000)
        total = sum(count(m) for m in messages)
        out, report = fitted(messages, window=int(total * 0.9) + 100)
        assert report is not None
        changed = [i for i, (a, b) in enumerate(zip(messages, out, strict=True)) if a != b]
        tools = [i for i, m in enumerate(messages) if m["role"] == "tool"]
        assert changed == tools[: len(changed)]

    def test_small_results_are_never_shortened(self) -> None:
        """A result of at most SHORTEN_ABOVE characters is kept or dropped whole, never cut."""
        messages = session(80, result_chars=SHORTEN_ABOVE - 20)
        out, report = fitted(messages, window=6000)
        assert report is not None
        assert report.tool_results_shortened == 0
        assert all("characters cut" not in (m.get("content") or "") for m in out)

    def test_marker_text(self) -> None:
        """The marker names the characters cut and the total, between head and tail."""
        text = "h" * KEEP_HEAD + "M" * 1000 + "t" * KEEP_TAIL
        out = shortened(text)
        assert out.startswith("h" * KEEP_HEAD)
        assert out.endswith("t" * KEEP_TAIL)
        assert "M" not in out
        assert "[... 1,000 of 3,000 characters cut here by director-litellm" in out


class TestStableSteps:
    def test_same_history_same_result(self) -> None:
        """Fitting is deterministic: the same history gives equal fitted messages and report."""
        messages = session(40, result_chars=8000)
        assert fitted(messages, window=20_000) == fitted([dict(m) for m in messages], window=20_000)

    def test_the_kept_prefix_holds_between_steps(self) -> None:
        """As a session grows turn by turn, the fitted conversation only changes at the steps: between
        two steps each call's fitted messages start with the previous call's (prompt caches keep hitting)."""
        messages: list[dict[str, Any]] = [{"role": "system", "content": "You are Director."}]
        previous: list[dict[str, Any]] | None = None
        steps = calls = 0
        for t in range(200):
            messages += turn(t, result_chars=6000)
            out, _ = fitted(messages, window=30_000)
            calls += 1
            if previous is not None and out[: len(previous)] != previous:
                steps += 1
            previous = out
        # each turn adds ~1,600 tokens; a step frees 30 % of a ~30,000-token budget: a step every ~5 turns
        assert 0 < steps <= calls / 3

    def test_a_step_trims_down_to_the_target(self) -> None:
        """A step (the trigger passed at the newest message) cuts the kept part to 60 % of the budget, not
        just under the window; between steps it grows up to 90 %."""
        messages = session(120)
        budget = 5000
        dropped, steps = 0, 0
        for end in range(2, len(messages) + 1):
            out, report = fitted(messages[:end], window=budget + 100)
            kept = sum(count(m) for m in out)
            assert kept <= 0.9 * budget
            if report is not None and report.messages_dropped > dropped:
                steps, dropped = steps + 1, report.messages_dropped
                assert kept <= 0.6 * budget
        assert steps >= 3


class TestTooLong:
    def test_the_current_run_alone_over_the_window(self) -> None:
        """System messages and the current run over the budget: ContextWindowError naming the sizes."""
        messages = [*session(3), {"role": "user", "content": "y" * 40_000}]
        with pytest.raises(ContextWindowError) as raised:
            fitted(messages, window=8000, max_tokens=1000, tools=500)
        text = str(raised.value)
        assert "window of 8,000 tokens leaves 6,500" in text
        assert "1,000 for the answer" in text
        assert "500 for the tool schemas" in text
        assert "nothing was sent" in text
        assert isinstance(raised.value, InvalidInputError)

    def test_no_budget_at_all(self) -> None:
        """max_tokens and the tools taking the whole window: refused, not sent."""
        with pytest.raises(ContextWindowError):
            fitted(session(1), window=1000, max_tokens=900, tools=200)
